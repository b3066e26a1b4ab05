package dev.keel.raft.compat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host application like a Spring Boot 3 service (src/test/resources/host-app), built by Maven the way its owners
 * would build it: from a repository that holds Keel's published POMs and jars as a release deploys them (the BOM,
 * the dependency-reduced transport POM), with protobuf-java 3.25 and Netty 4.1 as its own dependencies. Its class path
 * must hold exactly the host's versions of both, and it must run a 3-node Keel cluster over the transport (on epoll)
 * beside its own Netty and protobuf, in one JVM. Before the transport bundled its own copies, such a host never
 * elected a leader (protobuf 3: "Could not initialize class ...Envelope") or failed in {@code new NettyTransport}
 * (Netty 4.1: no {@code NioIoHandler}).
 *
 * <p>The nested build is offline: its local repository (under this test's directory) starts with Keel's artifacts,
 * and everything else comes from the local repository of the build running this test, through a {@code file:}
 * mirror. So it never downloads, and never writes Keel's snapshot into a shared repository.
 */
class HostApplicationIT {
    private static final Path ROOT = Path.of(System.getProperty("keel.root"));
    private static final String VERSION = System.getProperty("keel.version");
    private static final String PROTOBUF = System.getProperty("host.protobuf.version");
    private static final String NETTY = System.getProperty("host.netty.version");
    /** Resolving and compiling a small project, then a JVM running three nodes; generous for a loaded machine. */
    private static final long BUILD_MINUTES = 10;
    private static final long RUN_MINUTES = 5;

    @TempDir
    static Path dir;
    private static Path project;
    private static List<String> classPath;

    @BeforeAll
    static void buildTheHostApplication() throws Exception {
        Path repo = dir.resolve("repository");
        for (String module : List.of("raft-core", "raft-storage", "raft-transport-netty", "keel-bom")) {
            stage(repo, module);
        }
        Path settings = dir.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <offline>true</offline>
                  <mirrors>
                    <mirror>
                      <id>this-build</id>
                      <mirrorOf>*</mirrorOf>
                      <url>%s</url>
                    </mirror>
                  </mirrors>
                </settings>
                """.formatted(Path.of(System.getProperty("keel.outer.repository")).toUri()));
        project = dir.resolve("host-app");
        copyResourceTree("host-app", project);

        String mvn = Path.of(System.getProperty("keel.maven.home"), "bin", "mvn").toString();
        List<String> command = List.of(mvn, "-B", "-e", "-s", settings.toString(),
                "-Dmaven.repo.local=" + repo, "-Daether.offline.protocols=file",
                "-Dkeel.version=" + VERSION, "-Dhost.protobuf.version=" + PROTOBUF,
                "-Dhost.netty.version=" + NETTY, "-Dslf4j.version=" + System.getProperty("slf4j.version"),
                "-f", project.resolve("pom.xml").toString(), "compile");
        ProcessBuilder build = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("build.log").toFile());
        build.environment().put("JAVA_HOME", System.getProperty("java.home"));
        build.environment().remove("MAVEN_OPTS");
        Process p = build.start();
        boolean exited = p.waitFor(BUILD_MINUTES, TimeUnit.MINUTES);
        if (!exited) {
            p.destroyForcibly();
        }
        String log = Files.readString(dir.resolve("build.log"));
        assertThat(exited).as("the host build finished within %d minutes:%n%s", BUILD_MINUTES, log).isTrue();
        assertThat(p.exitValue()).as("the host build:%n%s", log).isZero();
        classPath = Arrays.asList(Files.readString(project.resolve("target/runtime-classpath.txt")).trim()
                .split(java.io.File.pathSeparator));
    }

    @Test
    void theHostsClassPathHoldsItsOwnProtobufAndNettyAndKeelBringsNeither() {
        List<String> jars = classPath.stream().map(p -> Path.of(p).getFileName().toString()).toList();
        assertThat(jars).contains("protobuf-java-" + PROTOBUF + ".jar",
                "netty-common-" + NETTY + ".jar", "netty-transport-" + NETTY + ".jar",
                "netty-transport-native-epoll-" + NETTY + "-linux-x86_64.jar",
                "raft-core-" + VERSION + ".jar", "raft-storage-" + VERSION + ".jar",
                "raft-transport-netty-" + VERSION + ".jar");
        assertThat(jars.stream().filter(j -> j.startsWith("netty-")))
                .as("every Netty jar is the host's version").allMatch(j -> j.contains("-" + NETTY));
        assertThat(jars.stream().filter(j -> j.startsWith("protobuf-")))
                .containsExactly("protobuf-java-" + PROTOBUF + ".jar");
        assertThat(jars).noneMatch(j -> j.startsWith("keel-proto"));
        // Keel's jars came from the staged release, not from this build's modules.
        assertThat(classPath).filteredOn(p -> p.contains("raft-")).allMatch(p -> p.startsWith(dir.toString()));
    }

    @Test
    void theHostRunsAThreeNodeClusterOverTheTransportBesideItsOwnNettyAndProtobuf() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", project.resolve("target/classes") + java.io.File.pathSeparator
                + String.join(java.io.File.pathSeparator, classPath),
                "com.example.host.HostApplication", dir.resolve("data").toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("run.log").toFile()).start();
        boolean exited = p.waitFor(RUN_MINUTES, TimeUnit.MINUTES);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(dir.resolve("run.log"));
        assertThat(exited).as("the host application finished within %d minutes:%n%s", RUN_MINUTES, out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.lines()).as(out).contains(
                "host protobuf protobuf-java-" + PROTOBUF + ".jar",
                "host protobuf has RuntimeVersion: false",
                "host netty " + NETTY,
                "host netty has NioIoHandler: false",
                "keel transport raft-transport-netty-" + VERSION + ".jar",
                "leader elected",
                "read on n1: 5050", "read on n2: 5050", "read on n3: 5050",
                "every replica applied sum 5050",
                "host netty echoed host protobuf: true");
        // The bundled Netty found its renamed native library: all three transports run on epoll, not NIO.
        assertThat(out.lines().filter(l -> l.startsWith("keel io "))).containsExactly("keel io epoll",
                "keel io epoll", "keel io epoll");
        assertThat(out).doesNotContain("Could not initialize class").doesNotContain("NoClassDefFoundError");
    }

    /** Puts a module's published POM (and jar) where a repository keeps them, as {@code install} would. */
    private static void stage(Path repo, String module) throws IOException {
        Path target = ROOT.resolve(module).resolve("target");
        Path into = repo.resolve("dev/keel").resolve(module).resolve(VERSION);
        Files.createDirectories(into);
        Path reduced = target.resolve("dependency-reduced-pom.xml");
        Path pom = Files.isRegularFile(reduced) ? reduced : target.resolve("flattened-pom.xml");
        Files.copy(pom, into.resolve(module + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (!module.equals("keel-bom")) {
            Files.copy(target.resolve(module + "-" + VERSION + ".jar"), into.resolve(module + "-" + VERSION + ".jar"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void copyResourceTree(String resource, Path to) throws IOException {
        try {
            Path from = Path.of(HostApplicationIT.class.getClassLoader().getResource(resource).toURI());
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
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
