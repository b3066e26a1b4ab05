package dev.keel.raft.internal.engine;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden-file interaction tests of the engine: every script under {@code src/test/resources/interaction} is a list of
 * commands ({@link Interaction}), each followed by {@code ----} and the output it must produce. A change of behaviour
 * shows as a diff of these files: {@code -Dkeel.golden.rewrite=true} writes what the engine now does into them, to be
 * reviewed like any other change.
 */
class InteractionTest {
    static final Path SCRIPTS = Path.of("src", "test", "resources", "interaction");
    private static final boolean REWRITE = Boolean.getBoolean("keel.golden.rewrite");

    /** One command with the comment lines before it and its expected output (null when not written yet). */
    record Block(List<String> comments, String command, String expected) {
    }

    @TestFactory
    Stream<DynamicTest> everyScriptProducesItsExpectedOutput() throws IOException {
        try (Stream<Path> files = Files.list(SCRIPTS)) {
            List<Path> scripts = files.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
            assertThat(scripts).as("interaction scripts in %s", SCRIPTS.toAbsolutePath()).isNotEmpty();
            return scripts.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> run(p)));
        }
    }

    private static void run(Path script) throws IOException {
        List<Block> blocks = parse(Files.readAllLines(script, StandardCharsets.UTF_8), script);
        Interaction interaction = new Interaction();
        List<Block> actual = new ArrayList<>();
        for (Block b : blocks) {
            String output;
            try {
                output = interaction.run(b.command());
            } catch (RuntimeException e) {
                throw new AssertionError(script.getFileName() + ": '" + b.command() + "' failed: " + e, e);
            }
            actual.add(new Block(b.comments(), b.command(), output));
            if (!REWRITE) {
                assertThat(output).as("%s: output of '%s' (rewrite with -Dkeel.golden.rewrite=true and review the diff)",
                        script.getFileName(), b.command()).isEqualTo(b.expected());
            }
        }
        if (REWRITE) {
            Files.writeString(script, format(actual), StandardCharsets.UTF_8);
        }
    }

    static List<Block> parse(List<String> lines, Path script) {
        List<Block> blocks = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank()) {
                i++;
            } else if (line.startsWith("#")) {
                comments.add(line);
                i++;
            } else {
                String command = line.trim();
                i++;
                String expected = null;
                if (i < lines.size() && lines.get(i).equals("----")) {
                    i++;
                    List<String> out = new ArrayList<>();
                    while (i < lines.size() && !lines.get(i).isBlank()) {
                        out.add(lines.get(i++));
                    }
                    expected = String.join("\n", out);
                } else if (!REWRITE) {
                    throw new AssertionError(script.getFileName() + ": '" + command + "' has no expected output "
                            + "(a line '----' and the output); write it with -Dkeel.golden.rewrite=true");
                }
                blocks.add(new Block(List.copyOf(comments), command, expected));
                comments.clear();
            }
        }
        return blocks;
    }

    static String format(List<Block> blocks) {
        StringBuilder sb = new StringBuilder();
        for (Block b : blocks) {
            b.comments().forEach(c -> sb.append(c).append('\n'));
            sb.append(b.command()).append("\n----\n").append(b.expected()).append("\n\n");
        }
        return sb.toString();
    }
}
