package dev.keel.raft.examples;

import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java examples in the top-level README compile against the current API, and the embedding example really runs:
 * its three nodes, started as the README says (three processes, {@code CounterNode n1}, {@code n2}, {@code n3}), elect
 * a leader, each adds 1 through a session (two of them through a follower, forwarded), and they print what the README
 * shows.
 */
class ReadmeExampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("public (?:final )?class (\\w+)");
    /** Three JVMs starting on a loaded 2-core machine, an election, three forwarded commits. */
    private static final Duration RUN_WAIT = Duration.ofSeconds(120);

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        for (Process p : processes) {
            p.destroy(); // SIGTERM: the example's shutdown hook closes the server
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** Compiles every java block of the README into {@code out}. */
    private static void compileReadme(Path out) throws IOException {
        String text = Files.readString(Path.of("..", "README.md"));
        List<JavaFileObject> sources = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(text);
        while (m.find()) {
            String code = m.group(1);
            Matcher name = CLASS_NAME.matcher(code);
            assertThat(name.find()).as("a java block in the README declares a public class").isTrue();
            sources.add(new SimpleJavaFileObject(URI.create("string:///" + name.group(1) + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return code;
                }
            });
        }
        assertThat(sources).as("java blocks in the README").isNotEmpty();

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok = compiler.getTask(null, null, diagnostics,
                List.of("-classpath", classpath(), "-d", out.toString(), "--release", "17"), null, sources).call();
        StringBuilder errors = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            errors.append(d).append('\n');
        }
        assertThat(ok).as("README examples compile:\n%s", errors).isTrue();
    }

    @Test
    void everyJavaBlockInTheReadmeCompiles(@TempDir Path out) throws IOException {
        compileReadme(out);
    }

    @Test
    void theEmbeddingExamplesThreeNodesElectALeaderAndEachAddsOneExactlyOnce(@TempDir Path dir) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        compileReadme(classes);
        int basePort = freeBasePort();
        Map<String, List<String>> output = new TreeMap<>();
        for (String node : List.of("n1", "n2", "n3")) {
            List<String> lines = new CopyOnWriteArrayList<>();
            output.put(node, lines);
            Path work = Files.createDirectories(dir.resolve(node));
            ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-cp", classpath() + File.pathSeparator + classes,
                    "CounterNode", node, String.valueOf(basePort))
                    .directory(work.toFile())
                    .redirectError(work.resolve("stderr.log").toFile());
            Process p = pb.start();
            processes.add(p);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("(output lost: " + e + ")");
                }
            }, "readme-" + node);
            reader.setDaemon(true);
            reader.start();
        }

        Await.until("each node to print its increment and its read: " + output, RUN_WAIT,
                () -> output.values().stream().allMatch(l -> l.stream().anyMatch(s -> s.contains(": read "))));

        Pattern ready = Pattern.compile("(n\\d): ready; the leader is (n\\d)");
        Pattern counted = Pattern.compile("(n\\d): counter is now (\\d+) \\(log index (\\d+)\\)");
        Pattern read = Pattern.compile("(n\\d): read (\\d+)");
        List<Long> values = new ArrayList<>();
        List<Long> indexes = new ArrayList<>();
        List<String> leaders = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : output.entrySet()) {
            List<String> lines = e.getValue();
            assertThat(lines).as("what %s printed", e.getKey()).hasSize(3);
            Matcher r = ready.matcher(lines.get(0));
            Matcher c = counted.matcher(lines.get(1));
            Matcher q = read.matcher(lines.get(2));
            assertThat(r.matches() && c.matches() && q.matches()).as("what %s printed: %s", e.getKey(), lines)
                    .isTrue();
            assertThat(r.group(1)).isEqualTo(e.getKey());
            leaders.add(r.group(2));
            long value = Long.parseLong(c.group(2));
            values.add(value);
            indexes.add(Long.parseLong(c.group(3)));
            assertThat(Long.parseLong(q.group(2))).as("%s's read sees its own increment", e.getKey())
                    .isBetween(value, 3L);
        }
        assertThat(values).as("each increment applied exactly once").containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(indexes).as("three distinct log entries").doesNotHaveDuplicates();
        assertThat(leaders).as("the leaders the nodes named").allMatch(List.of("n1", "n2", "n3")::contains);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A port p such that p+1, p+2 and p+3 are free on the loopback interface right now. */
    private static int freeBasePort() throws IOException {
        Random random = new Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20_000 + random.nextInt(40_000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 1; i <= 3; i++) {
                    held.add(new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress()));
                }
                return base;
            } catch (IOException taken) {
                // try another
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
        }
        throw new IOException("no three consecutive free ports found");
    }
}
