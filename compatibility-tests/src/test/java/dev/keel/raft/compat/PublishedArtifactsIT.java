package dev.keel.raft.compat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a release would deploy, checked on the files this build made: for every published module a POM that names
 * its version, licence, project URL, SCM, developers and description and no parent; the jar and its -sources jar
 * with the licence and notice, and a -javadoc jar of the API alone; the BOM managing exactly the published modules.
 */
class PublishedArtifactsIT {
    private static final Path ROOT = Path.of(System.getProperty("keel.root"));
    private static final String VERSION = System.getProperty("keel.version");

    @ParameterizedTest
    @ValueSource(strings = {"raft-core", "raft-storage", "raft-transport-netty", "raft-testkit",
            "raft-metrics-micrometer", "keel-bom"})
    void everyPublishedModulesPomIsCompleteAndStandsAlone(String module) throws Exception {
        Element pom = publishedPom(module);
        assertThat(text(pom, "groupId")).isEqualTo("dev.keel");
        assertThat(text(pom, "artifactId")).isEqualTo(module);
        assertThat(text(pom, "version")).isEqualTo(VERSION);
        assertThat(text(pom, "name")).isNotBlank();
        assertThat(text(pom, "description")).isNotBlank();
        assertThat(text(pom, "url")).startsWith("https://");
        assertThat(text(child(child(pom, "licenses"), "license"), "name")).isEqualTo("Apache-2.0");
        assertThat(text(child(child(pom, "developers"), "developer"), "name")).isNotBlank();
        assertThat(text(child(pom, "scm"), "connection")).startsWith("scm:git:");
        assertThat(text(child(pom, "scm"), "url")).startsWith("https://");
        assertThat(child(pom, "parent")).as("a parent the repository would not have").isNull();
        assertThat(Files.readString(publishedPomFile(module))).doesNotContain("${revision}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"raft-core", "raft-storage", "raft-transport-netty", "raft-testkit",
            "raft-metrics-micrometer"})
    void everyPublishedModuleHasItsJarSourcesAndJavadocWithTheLicence(String module) throws IOException {
        for (String classifier : List.of("", "-sources", "-javadoc")) {
            Path jar = ROOT.resolve(module).resolve("target").resolve(module + "-" + VERSION + classifier + ".jar");
            assertThat(jar).as(classifier.isEmpty() ? "the jar" : classifier + " jar").isRegularFile();
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                if (!classifier.equals("-javadoc")) {
                    assertThat(zip.getEntry("META-INF/LICENSE")).as(jar + " has the licence").isNotNull();
                    assertThat(zip.getEntry("META-INF/NOTICE")).as(jar + " has the notice").isNotNull();
                } else {
                    // Javadoc of a module (the descriptor, or the kit's Automatic-Module-Name) puts each page under
                    // the module's name: dev.keel.raft/dev/keel/raft/RaftServer.html.
                    assertThat(zip.stream().map(ZipEntry::getName)).as("API documentation only")
                            .anyMatch(n -> n.endsWith(".html") && n.matches("(dev\\.keel\\.[a-z.]+/)?dev/keel/.*"))
                            .noneMatch(n -> n.contains("/internal/") || n.contains("/shaded/"));
                }
                if (classifier.equals("-sources")) {
                    assertThat(zip.stream().map(ZipEntry::getName)).anyMatch(n -> n.endsWith(".java"));
                }
            }
        }
    }

    @Test
    void theCoreDependsOnSlf4jApiAlone() throws Exception {
        assertThat(consumerDependencies("raft-core")).containsExactly("org.slf4j:slf4j-api");
    }

    @Test
    void theTransportBundlesNettyAndProtobufAndDependsOnTheCoreAndSlf4jAlone() throws Exception {
        assertThat(consumerDependencies("raft-transport-netty"))
                .containsExactlyInAnyOrder("dev.keel:raft-core", "org.slf4j:slf4j-api");
        Path jar = ROOT.resolve("raft-transport-netty/target/raft-transport-netty-" + VERSION + ".jar");
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertThat(zip.getEntry("META-INF/licenses/protobuf-java.txt")).isNotNull();
            assertThat(zip.getEntry("META-INF/native/"
                    + "libdev_keel_raft_transport_netty_shaded_netty_transport_native_epoll_x86_64.so")).isNotNull();
            assertThat(zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class")))
                    .allMatch(n -> n.equals("module-info.class") || n.startsWith("dev/keel/raft/transport/netty/"));
        }
    }

    @Test
    void theMicrometerBindingDependsOnTheCoreAndMicrometerAlone() throws Exception {
        assertThat(consumerDependencies("raft-metrics-micrometer")).containsExactlyInAnyOrder("dev.keel:raft-core",
                "io.micrometer:micrometer-core");
    }

    @Test
    void theTestKitDeclaresJUnitAndAssertJForItsContractSuites() throws Exception {
        assertThat(consumerDependencies("raft-testkit")).containsExactlyInAnyOrder("dev.keel:raft-core",
                "org.junit.jupiter:junit-jupiter-api", "org.assertj:assertj-core");
    }

    @Test
    void theBomManagesExactlyThePublishedModulesAtItsOwnVersion() throws Exception {
        Element pom = publishedPom("keel-bom");
        assertThat(text(pom, "packaging")).isEqualTo("pom");
        assertThat(child(pom, "properties")).as("properties an importer could trip on").isNull();
        assertThat(child(pom, "dependencies")).isNull();
        List<String> managed = new ArrayList<>();
        for (Element d : children(child(child(pom, "dependencyManagement"), "dependencies"), "dependency")) {
            assertThat(text(d, "version")).isEqualTo("${project.version}");
            assertThat(child(d, "scope")).isNull();
            managed.add(text(d, "groupId") + ":" + text(d, "artifactId"));
        }
        assertThat(managed).containsExactlyInAnyOrder("dev.keel:raft-core", "dev.keel:raft-storage",
                "dev.keel:raft-transport-netty", "dev.keel:raft-testkit", "dev.keel:raft-metrics-micrometer");
    }

    /** The dependencies an application resolves: compile and runtime scope, not optional. */
    private static List<String> consumerDependencies(String module) throws Exception {
        List<String> out = new ArrayList<>();
        Element deps = child(publishedPom(module), "dependencies");
        for (Element d : children(deps, "dependency")) {
            String scope = text(d, "scope");
            boolean optional = "true".equals(text(d, "optional"));
            if ((scope == null || scope.equals("compile") || scope.equals("runtime")) && !optional) {
                out.add(text(d, "groupId") + ":" + text(d, "artifactId"));
            }
        }
        return out;
    }

    /**
     * The POM that install and deploy take: the flattened one, or for the shaded transport the dependency-reduced
     * one that the shade plugin makes from it.
     */
    private static Path publishedPomFile(String module) {
        Path target = ROOT.resolve(module).resolve("target");
        Path reduced = target.resolve("dependency-reduced-pom.xml");
        return Files.isRegularFile(reduced) ? reduced : target.resolve("flattened-pom.xml");
    }

    private static Element publishedPom(String module) throws Exception {
        Path file = publishedPomFile(module);
        assertThat(file).isRegularFile();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        Document doc = factory.newDocumentBuilder().parse(file.toFile());
        return doc.getDocumentElement();
    }

    private static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        NodeList list = parent.getChildNodes();
        for (int i = 0; i < list.getLength(); i++) {
            if (list.item(i) instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }
}
