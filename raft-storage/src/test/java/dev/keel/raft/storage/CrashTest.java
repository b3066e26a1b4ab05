package dev.keel.raft.storage;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Real crashes: a child JVM ({@link CrashWriter}) appends, truncates and saves hard state with many mutations in
 * flight and prints each one once its future completed; the test SIGKILLs it at a random moment, reopens the log and
 * checks that everything printed is there with the right bytes and that the log is a clean prefix (consecutive,
 * every entry intact, terms never decreasing, so no stale entry survived a truncation). 50 rounds by default
 * ({@code -Dkeel.crash.rounds}); the seed is printed and replayable with {@code -Dkeel.test.seed}.
 */
class CrashTest {
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path root;

    private StorageConfig config(Path dir) {
        return StorageConfig.builder(dir).segmentSizeBytes(64 * 1024).build();
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void sigkillAtRandomMomentsNeverLosesAnAcknowledgedMutation() throws Exception {
        long seed = TestLogs.seed("sigkillAtRandomMomentsNeverLosesAnAcknowledgedMutation");
        SplittableRandom random = new SplittableRandom(seed);
        int rounds = Integer.getInteger("keel.crash.rounds", 50);
        Path dir = root.resolve("log");
        Path stderr = root.resolve("child-stderr.log");

        TreeMap<Long, Long> durable = new TreeMap<>(); // index -> term known durable
        long hardStateTerm = 0;
        long purgedUpTo = 0;
        long acknowledged = 0;
        long truncations = 0;
        for (int round = 0; round < rounds; round++) {
            String what = "round " + round + " of seed " + seed;
            List<String> lines = new ArrayList<>();
            try (ChildJvm child = ChildJvm.start(dir, seed * 1_000 + round, "write", stderr)) {
                String first = child.next(System.nanoTime() + START_TIMEOUT_NANOS);
                if (first == null || !first.startsWith("OPEN")) {
                    fail(what + ": child did not open the log (" + first + "):\n" + tail(stderr));
                }
                // The kill comes at a random moment after the child's first acknowledged append (ChildJvm.awaitLine).
                if (!child.awaitLine("A ", System.nanoTime() + START_TIMEOUT_NANOS, lines)) {
                    fail(what + ": child acknowledged no append:\n" + lines + "\n" + tail(stderr));
                }
                String line;
                long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(random.nextInt(300));
                while ((line = child.next(killAt)) != null) {
                    if (line.equals(ChildJvm.EOF)) {
                        fail(what + ": child died before it was killed:\n" + lines + "\n" + tail(stderr));
                    }
                    lines.add(line);
                }
                child.kill();
                lines.addAll(child.drain());
            }
            // Truncations called but not acknowledged may have reached the disk and removed acknowledged entries.
            java.util.Map<String, Long> unacknowledgedTruncations = new java.util.HashMap<>();
            for (String line : lines) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "I" -> unacknowledgedTruncations.put(f[1], Long.parseLong(f[2]));
                    case "A" -> {
                        for (long i = Long.parseLong(f[1]); i <= Long.parseLong(f[2]); i++) {
                            durable.put(i, Long.parseLong(f[3]));
                        }
                        acknowledged++;
                    }
                    case "T" -> {
                        durable.tailMap(Long.parseLong(f[2]), true).clear();
                        unacknowledgedTruncations.remove(f[1]);
                        truncations++;
                    }
                    case "H" -> hardStateTerm = Math.max(hardStateTerm, Long.parseLong(f[1]));
                    case "P" -> purgedUpTo = Math.max(purgedUpTo, Long.parseLong(f[1]));
                    default -> fail(what + ": unexpected child output " + line + "\n" + tail(stderr));
                }
            }
            try (FileLogStorage s = FileLogStorage.open(config(dir))) {
                long mayBeCutFrom = unacknowledgedTruncations.values().stream().min(Long::compare)
                        .orElse(Long.MAX_VALUE);
                verify(s, durable.headMap(mayBeCutFrom, false), hardStateTerm, purgedUpTo, what);
                durable.clear();
                List<LogEntry> all = readAll(s);
                for (LogEntry e : all) {
                    durable.put(e.index(), e.term());
                }
                hardStateTerm = s.hardState().term();
            }
        }
        System.out.println(rounds + " SIGKILL rounds: " + acknowledged + " acknowledged appends, " + truncations
                + " acknowledged truncations, final log " + durable.firstKey() + ".." + durable.lastKey());
        assertThat(acknowledged).as("the children got appends acknowledged").isGreaterThan(rounds);
    }

    private static void verify(FileLogStorage s, java.util.SortedMap<Long, Long> durable, long hardStateTerm,
                               long purgedUpTo, String what) {
        long first = s.firstIndex();
        long last = s.lastIndex();
        assertThat(first).as(what + ": first index beyond any requested purge").isLessThanOrEqualTo(purgedUpTo + 1);
        assertThat(s.hardState().term()).as(what + ": hard state term").isGreaterThanOrEqualTo(hardStateTerm);
        for (Map.Entry<Long, Long> e : durable.tailMap(first).entrySet()) {
            assertThat(e.getKey()).as(what + ": acknowledged index lost").isLessThanOrEqualTo(last);
            assertThat(s.termAt(e.getKey())).as(what + ": term of acknowledged index " + e.getKey())
                    .isEqualTo(e.getValue());
        }
        long previousTerm = 0;
        long expectedIndex = first;
        for (LogEntry e : readAll(s)) {
            assertThat(e.index()).as(what).isEqualTo(expectedIndex++);
            assertThat(e.data()).as(what + ": bytes of " + e).isEqualTo(TestLogs.payload(e.index(), e.term()));
            assertThat(e.term()).as(what + ": term decreases at " + e + " (stale entry after a truncation)")
                    .isGreaterThanOrEqualTo(previousTerm);
            previousTerm = e.term();
        }
        assertThat(expectedIndex).isEqualTo(last + 1);
    }

    private static List<LogEntry> readAll(FileLogStorage s) {
        List<LogEntry> out = new ArrayList<>();
        long next = s.firstIndex();
        while (next <= s.lastIndex()) {
            List<LogEntry> chunk = s.entries(next, s.lastIndex() + 1, 4 << 20);
            out.addAll(chunk);
            next += chunk.size();
        }
        return out;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aLogHeldByAnotherProcessIsRefusedUntilThatProcessDies() throws Exception {
        Path dir = root.resolve("held");
        try (ChildJvm child = ChildJvm.start(dir, 0, "hold", root.resolve("hold-stderr.log"))) {
            String first = child.next(System.nanoTime() + START_TIMEOUT_NANOS);
            assertThat(first).as(tail(root.resolve("hold-stderr.log"))).startsWith("OPEN");
            assertThatThrownBy(() -> FileLogStorage.open(config(dir)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("locked by another process")
                    .hasMessageContaining("pid " + child.pid())
                    .hasMessageContaining(dir.toString());
            child.kill();
        }
        try (FileLogStorage s = FileLogStorage.open(config(dir))) {
            assertThat(s.lastIndex()).isZero();
        }
    }

    static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "(no child stderr)";
            }
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        } catch (IOException e) {
            return "(cannot read child stderr: " + e + ")";
        }
    }
}
