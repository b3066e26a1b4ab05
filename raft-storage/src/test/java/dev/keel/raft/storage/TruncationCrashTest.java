package dev.keel.raft.storage;

import dev.keel.raft.log.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.keel.raft.storage.TestLogs.entries;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A suffix truncation stopped at each of its file-system steps in turn (the I/O failing there leaves the files
 * exactly as a crash at that point would, minus unforced data) always recovers to the old log or to the new one,
 * never to stale entries mixed with new ones.
 */
class TruncationCrashTest {
    private static final int OLD_ENTRIES = 300;
    private static final long CUT = 100;

    @TempDir
    Path root;

    @Test
    void aTruncationInterruptedAtAnyStepRecoversTheOldOrTheNewLog() throws Exception {
        List<LogEntry> oldLog = entries(1, OLD_ENTRIES, 1);
        List<LogEntry> newTail = entries(CUT, CUT + 40, 2);
        int sawOld = 0;
        int sawNew = 0;
        int step = 1;
        for (; step <= 60; step++) {
            Path dir = root.resolve("step-" + step);
            StorageConfig config = StorageConfig.builder(dir).segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES)
                    .build();
            try (FileLogStorage s = FileLogStorage.open(config)) {
                TestLogs.await(s.append(oldLog));
            }
            StepFault fault = new StepFault(step);
            try (FileLogStorage s = FileLogStorage.open(config, InterceptingChannel.factory(fault))) {
                fault.armed.set(true);
                s.truncateSuffix(CUT);
                try {
                    TestLogs.await(s.append(newTail));
                } catch (java.util.concurrent.ExecutionException expected) {
                    assertThat(fault.fired).isTrue();
                }
            }
            try (FileLogStorage s = FileLogStorage.open(config)) {
                List<LogEntry> recovered = s.entries(1, s.lastIndex() + 1, Long.MAX_VALUE);
                if (recovered.equals(oldLog)) {
                    sawOld++;
                } else {
                    List<LogEntry> expectedPrefix = new ArrayList<>(oldLog.subList(0, (int) CUT - 1));
                    assertThat(recovered).as("step %d: neither the old log nor the new one", step)
                            .startsWith(expectedPrefix.toArray(LogEntry[]::new));
                    List<LogEntry> rest = recovered.subList((int) CUT - 1, recovered.size());
                    assertThat(rest).as("step %d: entries after the cut are not a prefix of the new tail", step)
                            .hasSizeLessThanOrEqualTo(newTail.size())
                            .isEqualTo(newTail.subList(0, rest.size()));
                    sawNew++;
                }
            }
            if (!fault.fired) {
                break; // the whole sequence ran: every step has been interrupted once
            }
        }
        assertThat(step).as("the sequence has a bounded number of steps").isLessThanOrEqualTo(60);
        assertThat(sawOld).isPositive();
        assertThat(sawNew).isPositive();
    }
}
