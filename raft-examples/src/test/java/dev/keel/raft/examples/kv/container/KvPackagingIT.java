package dev.keel.raft.examples.kv.container;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the node's image is made of (target/keel-kv.jar and target/lib, see {@link KvImage}) is what the node runs
 * and nothing else: no test kit, no test framework, no test classes, and no second copy of what the Keel transport
 * bundles.
 */
class KvPackagingIT {
    private static final Path TARGET = Path.of("target");

    @Test
    void theLibFolderHoldsRuntimeJarsOnly() throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.list(TARGET.resolve("lib"))) {
            jars = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars).anyMatch(j -> j.startsWith("raft-core-")).anyMatch(j -> j.startsWith("raft-transport-netty-"))
                .noneMatch(j -> j.startsWith("raft-testkit-") || j.startsWith("junit-") || j.startsWith("assertj-")
                        || j.startsWith("opentest4j-") || j.startsWith("byte-buddy-") || j.contains("tests"))
                .noneMatch(j -> j.startsWith("protobuf-java-") || j.startsWith("keel-proto-"));
    }

    @Test
    void theNodesJarHoldsNoTestClasses() throws IOException {
        try (JarFile jar = new JarFile(TARGET.resolve("keel-kv.jar").toFile())) {
            List<String> classes = jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class")).toList();
            assertThat(classes).anyMatch(n -> n.startsWith("dev/keel/raft/examples/kv/"))
                    .noneMatch(n -> n.startsWith("dev/keel/raft/testing/"))
                    .noneMatch(n -> n.matches(".*(Test|IT)(\\$.*)?\\.class"));
            String classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
            assertThat(classPath).doesNotContain("junit").doesNotContain("assertj").doesNotContain("testkit");
        }
    }
}
