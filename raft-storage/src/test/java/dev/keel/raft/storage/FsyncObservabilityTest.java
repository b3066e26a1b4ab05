package dev.keel.raft.storage;

import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.testing.RecordingMetrics;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every force of the log is measured (latency, entries made durable), and a slow one is a JFR event. */
class FsyncObservabilityTest {
    @TempDir
    Path dir;

    @Test
    void eachForceRecordsItsLatencyAndTheEntriesItMadeDurable() throws Exception {
        RecordingMetrics metrics = new RecordingMetrics();
        try (FileLogStorage log = FileLogStorage.open(StorageConfig.builder(dir.resolve("log")).build())) {
            log.bindMetrics(metrics);
            TestLogs.await(log.append(TestLogs.entries(1, 10, 1)));
            TestLogs.await(log.append(TestLogs.entries(11, 15, 1)));
        }
        List<Long> batches = metrics.values(KeelMetrics.FSYNC_BATCH, Map.of());
        assertThat(batches.stream().mapToLong(Long::longValue).sum()).as("entries made durable").isEqualTo(15);
        assertThat(metrics.values(KeelMetrics.FSYNC_LATENCY, Map.of())).hasSizeGreaterThanOrEqualTo(batches.size())
                .allMatch(nanos -> nanos > 0);
    }

    @Test
    void aForceSlowerThanTheRecordingsThresholdIsASlowFsyncEvent() throws Exception {
        Path file = dir.resolve("fsync.jfr");
        try (Recording recording = new Recording()) {
            // Every force counts as slow with a zero threshold; the default (10 ms) would make the test a guess.
            recording.enable("dev.keel.raft.SlowFsync").withThreshold(Duration.ZERO);
            recording.start();
            try (FileLogStorage log = FileLogStorage.open(StorageConfig.builder(dir.resolve("log")).build())) {
                TestLogs.await(log.append(TestLogs.entries(1, 20, 1)));
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("dev.keel.raft.SlowFsync")).toList();
        assertThat(events).anyMatch(e -> e.getLong("entries") == 20 && e.getLong("bytes") > 20
                && e.getString("directory").endsWith("log"));
    }
}
