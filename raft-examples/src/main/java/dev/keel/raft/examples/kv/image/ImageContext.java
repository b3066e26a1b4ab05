package dev.keel.raft.examples.kv.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The build context of the KV node's container image, made without pulling anything: {@code FROM scratch}, a Java
 * runtime made by {@code jlink} from the JDK running this (only the modules the jars need, per {@code jdeps}), the
 * shared libraries that runtime and the native libraries inside the jars (Netty's epoll) link against, copied from
 * this machine (found with {@code ldd}), and
 * {@code keel-kv.jar} with its {@code lib/}. {@code docker build} turns the directory into the image; the container
 * tests and {@code raft-examples/build-image.sh} both use it.
 *
 * <p>The image runs {@code keel-kv run --config /etc/keel/node.toml} unless given other arguments, and reports
 * itself healthy while its node answers on the client port 6379 ({@code keel-kv health}).
 */
public final class ImageContext {
    /**
     * Modules reached only by reflection or service loading, which jdeps cannot see (Jackson's optional DOM support,
     * Netty's logging fallback, TLS's elliptic curves, JMX for JFR), or used by the jars in lib/, whose own
     * dependencies jdeps leaves out when it analyses the node's jar: Flight Recorder (Keel's events) and the JVM's
     * management extensions (Micrometer's GC metrics).
     */
    private static final List<String> EXTRA_MODULES = List.of("java.logging", "java.xml", "jdk.crypto.ec",
            "java.management", "jdk.unsupported", "jdk.jfr", "jdk.management");
    private static final Pattern LIB_PATH = Pattern.compile("(/\\S+)");

    private ImageContext() {
    }

    /**
     * Writes the build context: {@code args[0]} the context directory, {@code args[1]} keel-kv.jar, {@code args[2]}
     * its lib/ directory.
     *
     * @param args the context directory, the jar and its lib/ directory
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: ImageContext CONTEXT_DIR KEEL_KV_JAR LIB_DIR");
            System.exit(2);
        }
        prepare(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        System.out.println("image build context written to " + Path.of(args[0]).toAbsolutePath());
    }

    /**
     * Writes the build context into {@code context}: the Dockerfile, runtime/ (made again only when the modules it
     * needs changed), rootfs/ with the shared libraries, app/ with the jar and its lib/.
     *
     * @param context the directory to write (created if missing)
     * @param jar     the packaged keel-kv.jar
     * @param lib     the directory of the jars its manifest names
     * @throws IOException if a file cannot be read or written
     */
    public static void prepare(Path context, Path jar, Path lib) throws IOException {
        if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
            throw new IOException(jar.toAbsolutePath() + " or its lib/ is missing: build the KV node first"
                    + " (./mvnw -pl raft-examples -am package -DskipTests)");
        }
        Files.createDirectories(context);
        Path runtime = context.resolve("runtime");
        Path madeFrom = context.resolve("runtime.modules");
        String modules = modules(jar, lib);
        if (!Files.isRegularFile(runtime.resolve("bin/java")) || !Files.isRegularFile(madeFrom)
                || !Files.readString(madeFrom).equals(modules)) {
            jlink(runtime, modules);
            Files.writeString(madeFrom, modules);
        }
        copySharedLibraries(runtime, nativeLibraries(jar, lib, context.resolve("native")), context.resolve("rootfs"));
        Path app = context.resolve("app");
        deleteTree(app);
        Files.createDirectories(app.resolve("lib"));
        Files.copy(jar, app.resolve("keel-kv.jar"), StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path j : jars.toList()) {
                Files.copy(j, app.resolve("lib").resolve(j.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        // The health check starts a small JVM: C1 only, no shared-archive dump, a tiny heap.
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                COPY rootfs/ /
                COPY runtime/ /opt/java/
                COPY app/ /app/
                WORKDIR /tmp
                EXPOSE 6379 7000
                HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \\
                  CMD ["/opt/java/bin/java", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xmx16m", \\
                       "-jar", "/app/keel-kv.jar", "health", "--port", "6379"]
                ENTRYPOINT ["/opt/java/bin/java", "-XX:-UsePerfData", "-Xmx512m", "-jar", "/app/keel-kv.jar"]
                CMD ["run", "--config", "/etc/keel/node.toml"]
                """);
    }

    private static String modules(Path jar, Path lib) {
        String out = runTool("jdeps", "--ignore-missing-deps", "--multi-release", "17", "--print-module-deps",
                "--class-path", lib.toAbsolutePath() + "/*", jar.toAbsolutePath().toString());
        TreeSet<String> modules = new TreeSet<>(List.of(out.trim().split(",")));
        modules.addAll(EXTRA_MODULES);
        return String.join(",", modules);
    }

    private static void jlink(Path runtime, String modules) throws IOException {
        deleteTree(runtime);
        runTool("jlink", "--add-modules", modules, "--strip-debug", "--no-header-files", "--no-man-pages",
                "--output", runtime.toString());
    }

    /**
     * The native libraries packed in the jars (META-INF/native/*.so: Netty's epoll, bundled in the transport and in
     * the node's own Netty), extracted into {@code into} so that ldd can read what they link against: they are
     * loaded at run time, and without those libraries in the image Netty falls back to NIO.
     */
    private static List<Path> nativeLibraries(Path jar, Path lib, Path into) throws IOException {
        deleteTree(into);
        Files.createDirectories(into);
        List<Path> jars = new ArrayList<>();
        jars.add(jar);
        try (Stream<Path> files = Files.list(lib)) {
            files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
        }
        List<Path> out = new ArrayList<>();
        for (Path j : jars) {
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(j.toFile())) {
                for (java.util.zip.ZipEntry e : java.util.Collections.list(zip.entries())) {
                    String name = e.getName();
                    if (name.startsWith("META-INF/native/") && name.endsWith(".so")) {
                        Path target = into.resolve(j.getFileName() + "-" + Path.of(name).getFileName());
                        try (var in = zip.getInputStream(e)) {
                            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                        out.add(target);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Copies every library the runtime's executables and libraries, and {@code natives}, link against, at the same
     * absolute paths.
     */
    private static void copySharedLibraries(Path runtime, List<Path> natives, Path rootfs) throws IOException {
        List<Path> binaries = new ArrayList<>(natives);
        binaries.add(runtime.resolve("bin/java"));
        try (Stream<Path> files = Files.walk(runtime.resolve("lib"))) {
            files.filter(p -> p.getFileName().toString().endsWith(".so")).forEach(binaries::add);
        }
        TreeSet<String> libraries = new TreeSet<>();
        for (Path b : binaries) {
            for (String line : ldd(b)) {
                if (line.contains("not found") || line.contains("linux-vdso")) {
                    continue;
                }
                Matcher m = LIB_PATH.matcher(line.substring(line.indexOf("=>") >= 0 ? line.indexOf("=>") : 0));
                if (m.find() && !m.group(1).startsWith(runtime.toAbsolutePath().toString())
                        && !m.group(1).startsWith(runtime.toString())) {
                    libraries.add(m.group(1));
                }
            }
        }
        for (String l : libraries) {
            Path dest = rootfs.resolve(l.substring(1));
            Files.createDirectories(dest.getParent());
            Files.copy(Path.of(l), dest, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static List<String> ldd(Path binary) throws IOException {
        Process p = new ProcessBuilder("ldd", binary.toAbsolutePath().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running ldd", e);
        }
        return out.lines().map(String::trim).toList();
    }

    private static String runTool(String name, String... args) {
        ToolProvider tool = ToolProvider.findFirst(name).orElseThrow(() ->
                new IllegalStateException(name + " is not available: building the image needs a full JDK"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = tool.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        if (status != 0) {
            throw new IllegalStateException(name + " failed (" + status + "): " + err.toString(StandardCharsets.UTF_8)
                    + out.toString(StandardCharsets.UTF_8));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
