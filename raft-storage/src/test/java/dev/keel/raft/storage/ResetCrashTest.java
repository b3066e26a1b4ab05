package dev.keel.raft.storage;

import dev.keel.raft.log.LogEntry;
import dev.keel.raft.storage.internal.SegmentFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static dev.keel.raft.storage.TestLogs.entries;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reset stopped at each of its file-system steps in turn recovers to the old log (same first index, same entries)
 * or to the empty log continuing at the new index (possibly with a prefix of what was appended after the reset),
 * never to a mix: no old entry and no old segment file survives next to the new log.
 */
class ResetCrashTest {
    private static final int OLD_ENTRIES = 300;
    private static final int MAX_STEPS = 60;

    @TempDir
    Path root;

    private static StorageConfig config(Path dir) {
        return StorageConfig.builder(dir).segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES).build();
    }

    /**
     * Where the reset goes: {@code forward} beyond the last index, {@code first} onto the name of the first segment,
     * {@code active} onto the name of the active segment, {@code backward} below a purged log's first index.
     */
    @ParameterizedTest(name = "reset {0}")
    @ValueSource(strings = {"forward", "first", "active", "backward"})
    void aResetInterruptedAtAnyStepRecoversTheOldOrTheEmptyLog(String where) throws Exception {
        int sawOld = 0;
        int sawNew = 0;
        int step = 1;
        for (; step <= MAX_STEPS; step++) {
            Path dir = root.resolve(where + "-step-" + step);
            long oldFirst;
            long nextIndex;
            List<LogEntry> oldLog;
            try (FileLogStorage s = FileLogStorage.open(config(dir))) {
                TestLogs.await(s.append(entries(1, OLD_ENTRIES, 1)));
                if (where.equals("backward")) {
                    s.purgePrefix(200);
                }
                oldFirst = s.firstIndex();
                oldLog = s.entries(oldFirst, OLD_ENTRIES + 1, Long.MAX_VALUE);
                List<Path> segments = SegmentFiles.listSegments(dir);
                nextIndex = switch (where) {
                    case "forward" -> 1000;
                    case "first" -> 1;
                    case "active" -> SegmentFiles.parseBaseIndex(segments.get(segments.size() - 1));
                    case "backward" -> 10;
                    default -> throw new IllegalArgumentException(where);
                };
            }
            assertThat(oldFirst).as("the backward case starts above its reset point").isGreaterThan(
                    where.equals("backward") ? nextIndex : 0);
            List<LogEntry> newTail = entries(nextIndex, nextIndex + 40, 2);

            StepFault fault = new StepFault(step);
            try (FileLogStorage s = FileLogStorage.open(config(dir), InterceptingChannel.factory(fault))) {
                fault.armed.set(true);
                s.reset(nextIndex);
                try {
                    TestLogs.await(s.append(newTail));
                } catch (ExecutionException expected) {
                    assertThat(fault.fired).isTrue();
                }
            }

            try (FileLogStorage s = FileLogStorage.open(config(dir))) {
                String what = "reset " + where + " to " + nextIndex + " stopped at step " + step + " ("
                        + fault.firedAt + ")";
                List<LogEntry> recovered = s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE);
                assertThat(Files.exists(dir.resolve(SegmentFiles.TRUNCATION_INTENT))).as(what).isFalse();
                if (s.firstIndex() == oldFirst && recovered.equals(oldLog)) {
                    sawOld++;
                } else {
                    assertThat(s.firstIndex()).as(what + ": neither the old log nor the reset one")
                            .isEqualTo(nextIndex);
                    assertThat(recovered).as(what + ": entries after the reset are not a prefix of the new tail")
                            .hasSizeLessThanOrEqualTo(newTail.size())
                            .isEqualTo(newTail.subList(0, recovered.size()));
                    assertThat(SegmentFiles.listSegments(dir)).as(what + ": a segment of the old log survived")
                            .allSatisfy(p -> assertThat(SegmentFiles.parseBaseIndex(p)).isGreaterThanOrEqualTo(
                                    nextIndex));
                    sawNew++;
                }
                // The recovered log works: it takes the next entry.
                TestLogs.await(s.append(entries(s.lastIndex() + 1, s.lastIndex() + 1, 3)));
            }
            if (!fault.fired) {
                break; // the whole sequence ran: every step has been interrupted once
            }
        }
        assertThat(step).as("the sequence has a bounded number of steps").isLessThanOrEqualTo(MAX_STEPS);
        assertThat(sawOld).as("some interruptions left the old log").isPositive();
        assertThat(sawNew).as("some interruptions finished the reset").isPositive();
        System.out.println("reset " + where + ": " + (step - 1) + " steps interrupted, old log " + sawOld
                + " times, reset log " + sawNew + " times");
    }
}
