package dev.keel.raft.compat;

import dev.keel.raft.RaftServer;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.transport.netty.NettyTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application module (src/test/resources/module-path-app) on the module path with the published jars of
 * raft-core, raft-storage and raft-transport-netty: it compiles and runs a one-node cluster through the exported
 * API, and neither the compiler nor reflection at run time lets it into the packages the Keel modules keep to
 * themselves (the engine, the storage formats, the bundled Netty).
 */
class ModulePathIT {
    @TempDir
    Path dir;

    @Test
    void anApplicationModuleUsesTheApiAndRunsAClusterOnTheModulePath() throws Exception {
        Path classes = dir.resolve("app-classes");
        List<Diagnostic<? extends JavaFileObject>> diagnostics = compile("app", classes);
        assertThat(diagnostics).filteredOn(d -> d.getKind() == Diagnostic.Kind.ERROR).isEmpty();

        String modulePath = String.join(File.pathSeparator, keelModulePath()) + File.pathSeparator + classes;
        Process p = new ProcessBuilder(javaExecutable(), "--module-path", modulePath,
                "-m", "com.example.app/com.example.app.Main", dir.resolve("data").toString(),
                Integer.toString(freePort()))
                .redirectErrorStream(true).start();
        // One election timeout (at most 2 s) and an fsync; the rest is JVM start-up on a busy machine.
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly();
        }
        assertThat(exited).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("sum 42")
                // The metrics SPI (dev.keel.raft.metrics) is exported and fed: the one write was timed.
                .contains("commits timed 1")
                // The bundled Netty loads its native library from a named module too.
                .contains("io epoll")
                .contains("refused dev.keel.raft.internal.quorum.Majority: IllegalAccessException")
                .contains("refused dev.keel.raft.storage.internal.RecordFormat: IllegalAccessException")
                .contains("refused dev.keel.raft.transport.netty.shaded.io.netty.util.Version: IllegalAccessException")
                .doesNotContain("reached ");
    }

    @Test
    void theCompilerRefusesAnApplicationModuleThatUsesKeelInternals() throws Exception {
        List<Diagnostic<? extends JavaFileObject>> diagnostics = compile("sneaky", dir.resolve("sneaky-classes"));
        List<String> errors = diagnostics.stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> d.getMessage(Locale.ROOT)).toList();
        assertThat(errors).hasSize(3);
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("package dev.keel.raft.internal.quorum is declared"
                + " in module dev.keel.raft, which does not export it"));
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("package dev.keel.raft.storage.internal is declared"
                + " in module dev.keel.raft.storage, which does not export it"));
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("package"
                + " dev.keel.raft.transport.netty.shaded.io.netty.util is declared in module"
                + " dev.keel.raft.transport.netty, which does not export it"));
    }

    @Test
    void thePublishedJarsAreExplicitModulesExportingOnlyTheirApi() {
        var finder = java.lang.module.ModuleFinder.of(keelModulePath().stream().map(Path::of).toArray(Path[]::new));
        assertThat(finder.find("dev.keel.raft").orElseThrow().descriptor().exports())
                .extracting(java.lang.module.ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrder("dev.keel.raft", "dev.keel.raft.exception", "dev.keel.raft.log",
                        "dev.keel.raft.message", "dev.keel.raft.metrics", "dev.keel.raft.spi",
                        "dev.keel.raft.statemachine");
        assertThat(finder.find("dev.keel.raft.storage").orElseThrow().descriptor().exports())
                .extracting(java.lang.module.ModuleDescriptor.Exports::source)
                .containsExactly("dev.keel.raft.storage");
        var transport = finder.find("dev.keel.raft.transport.netty").orElseThrow().descriptor();
        assertThat(transport.exports()).extracting(java.lang.module.ModuleDescriptor.Exports::source)
                .containsExactly("dev.keel.raft.transport.netty");
        assertThat(transport.isAutomatic()).isFalse();
        // Netty and protobuf are packages inside it, not modules it needs.
        assertThat(transport.requires()).extracting(java.lang.module.ModuleDescriptor.Requires::name)
                .noneMatch(n -> n.startsWith("io.netty") || n.startsWith("com.google"));
        assertThat(transport.packages()).contains("dev.keel.raft.transport.netty.shaded.io.netty.channel.epoll");

        // The test kit: an automatic module with a stable name (its manifest's Automatic-Module-Name).
        assertThat(java.lang.module.ModuleFinder.of(jarOf(dev.keel.raft.testing.Await.class)).findAll())
                .singleElement().satisfies(m -> assertThat(m.descriptor().name()).isEqualTo("dev.keel.raft.testing"));
    }

    private static Path jarOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compiles the application module in {@code name} against the Keel jars on the module path. */
    private List<Diagnostic<? extends JavaFileObject>> compile(String name, Path out) throws IOException {
        Path src = dir.resolve(name);
        copyResourceTree("module-path-app/" + name, src);
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8); Stream<Path> sources = Files.walk(src)) {
            List<Path> javaFiles = sources.filter(f -> f.toString().endsWith(".java")).toList();
            // An empty class path: by default javac would see this test's class path, Keel's classes included.
            List<String> options = List.of("--release", "17", "-d", out.toString(), "--class-path", out.toString(),
                    "--module-path", String.join(File.pathSeparator, keelModulePath()));
            javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(javaFiles))
                    .call();
        }
        return diagnostics.getDiagnostics();
    }

    /** The jars a module-path application needs: Keel's three and slf4j's API (Netty and protobuf are inside). */
    private static List<String> keelModulePath() {
        List<String> jars = new ArrayList<>();
        for (Class<?> c : List.of(RaftServer.class, FileLogStorage.class, NettyTransport.class,
                org.slf4j.Logger.class)) {
            try {
                Path jar = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
                assertThat(jar.getFileName().toString()).as("the packaged jar of " + c).endsWith(".jar");
                jars.add(jar.toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return jars;
    }

    private static void copyResourceTree(String resource, Path to) throws IOException {
        try {
            Path from = Path.of(ModulePathIT.class.getClassLoader().getResource(resource).toURI());
            try (Stream<Path> files = Files.walk(from)) {
                for (Path f : files.toList()) {
                    Path target = to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
