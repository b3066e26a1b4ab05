package dev.keel.raft.examples.kv.container;

import org.testcontainers.images.builder.ImageFromDockerfile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Builds the KV node's container image locally, pulling nothing: {@code FROM scratch}, a Java runtime made by
 * {@code jlink} from this JDK (only the modules the jars need, per {@code jdeps}), the shared libraries that runtime
 * links against, copied from this machine (found with {@code ldd}), and the packaged {@code keel-kv.jar} with its
 * {@code lib/}. The build context is {@code target/kv-image}; the runtime is made once per build directory.
 */
final class KvImage {
    /** The repository part of the image name; the tag is a digest of what went in (see {@link #tag}). */
    static final String NAME = "keel-kv-it";
    /**
     * Modules reached only by reflection or service loading, which jdeps cannot see (Jackson's optional DOM support, Netty's logging fallback,
     * TLS's elliptic curves, JMX for JFR), or used by the jars in lib/, whose own dependencies jdeps leaves out when
     * it analyses the node's jar: Flight Recorder (Keel's events) and the JVM's management extensions (Micrometer's
     * GC metrics).
     */
    private static final List<String> EXTRA_MODULES = List.of("java.logging", "java.xml", "jdk.crypto.ec", "java.management",
            "jdk.unsupported", "jdk.jfr", "jdk.management");
    private static final Pattern LIB_PATH = Pattern.compile("(/\\S+)");
    private static String built;

    private KvImage() {
    }

    /** The image name, building it on first use. */
    static synchronized String get() {
        if (built == null) {
            Path target = Path.of("target");
            Path jar = target.resolve("keel-kv.jar");
            Path lib = target.resolve("lib");
            if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
                throw new IllegalStateException(jar.toAbsolutePath() + " or its lib/ is missing: the container tests "
                        + "run in 'mvn verify' after 'package'");
            }
            Path context = target.resolve("kv-image");
            try {
                prepare(context, jar, lib);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // Tagged by content, so that builds from different checkouts sharing one Docker engine never run each
            // other's jar under one name.
            built = new ImageFromDockerfile(NAME + ":" + tag(context.resolve("app")), false)
                    .withFileFromPath(".", context).get();
        }
        return built;
    }

    private static String tag(Path app) {
        try (Stream<Path> files = Files.walk(app)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                digest.update(app.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void prepare(Path context, Path jar, Path lib) throws IOException {
        Files.createDirectories(context);
        Path runtime = context.resolve("runtime");
        Path madeFrom = context.resolve("runtime.modules");
        String modules = modules(jar, lib);
        if (!Files.isRegularFile(runtime.resolve("bin/java")) || !Files.isRegularFile(madeFrom)
                || !Files.readString(madeFrom).equals(modules)) {
            jlink(runtime, modules);
            Files.writeString(madeFrom, modules);
        }
        copySharedLibraries(runtime, context.resolve("rootfs"));
        Path app = context.resolve("app");
        deleteTree(app);
        Files.createDirectories(app.resolve("lib"));
        Files.copy(jar, app.resolve("keel-kv.jar"), StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path j : jars.toList()) {
                Files.copy(j, app.resolve("lib").resolve(j.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(context.resolve("Dockerfile"), """
                FROM scratch
                COPY rootfs/ /
                COPY runtime/ /opt/java/
                COPY app/ /app/
                WORKDIR /tmp
                EXPOSE 6379 7000
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

    /** Copies every library the runtime's executables and libraries link against, at the same absolute paths. */
    private static void copySharedLibraries(Path runtime, Path rootfs) throws IOException {
        List<Path> binaries = new ArrayList<>();
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
                new IllegalStateException(name + " is not available: the container tests need a full JDK"));
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
