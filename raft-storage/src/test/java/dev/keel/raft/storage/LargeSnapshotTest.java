package dev.keel.raft.storage;

import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.storage.internal.SnapshotFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot far larger than the heap is written, committed and read back through the storage: it is streamed, never
 * held in memory. The writer runs in a child JVM with a 32 MiB heap and 8 MiB of direct memory, and writes 256 MiB
 * ({@code -Dkeel.large.snapshot.mib}).
 */
class LargeSnapshotTest {
    @TempDir
    Path root;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aSnapshotEightTimesTheHeapIsWrittenAndReadBackWithBoundedMemory() throws Exception {
        long size = Long.getLong("keel.large.snapshot.mib", 256) * 1024 * 1024 + 12_345;
        Path dir = root.resolve("snapshots");
        Path stderr = root.resolve("child-stderr.log");
        Map<String, String[]> lines = new HashMap<>();
        try (ChildJvm child = ChildJvm.start(LargeSnapshotWriter.class,
                List.of("-Xmx32m", "-XX:MaxDirectMemorySize=8m"), List.of(dir.toString(), Long.toString(size)),
                root.resolve("child.out"), stderr)) {
            int exit = child.awaitExit(240, TimeUnit.SECONDS);
            assertThat(exit).as("child exit code (-1: still running)\n" + CrashTest.tail(stderr)).isZero();
            for (String line : child.drain()) {
                String[] f = line.split(" ");
                lines.put(f[0], f);
            }
        }
        assertThat(lines).as(CrashTest.tail(stderr)).containsKeys("COMMITTED", "READ", "PEAK_HEAP");
        long expectedCrc = expectedChecksum(size);
        assertThat(Long.parseLong(lines.get("COMMITTED")[1])).isEqualTo(size);
        assertThat(Long.parseLong(lines.get("COMMITTED")[2])).isEqualTo(expectedCrc);
        assertThat(Long.parseLong(lines.get("READ")[1])).as("checksum of the bytes read back").isEqualTo(expectedCrc);
        assertThat(Long.parseLong(lines.get("PEAK_HEAP")[1])).as("peak heap use").isLessThan(32L * 1024 * 1024);
        System.out.printf("large snapshot: %d MiB committed in %s ms, read back in %s ms, peak heap %d KiB%n",
                size >> 20, lines.get("COMMITTED")[3], lines.get("READ")[2],
                Long.parseLong(lines.get("PEAK_HEAP")[1]) >> 10);

        // Reopened here, it verifies in full and is the latest.
        try (FileSnapshotStorage s = FileSnapshotStorage.open(SnapshotStorageConfig.builder(dir).build())) {
            SnapshotMetadata m = s.latest().orElseThrow();
            assertThat(m.size()).isEqualTo(size);
            assertThat(m.checksum()).isEqualTo(expectedCrc);
        }
        assertThat(Files.size(SnapshotFiles.snapshotPath(dir, 1_000_000))).isBetween(size, size + 1024);
    }

    private static long expectedChecksum(long size) {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[LargeSnapshotWriter.CHUNK_BYTES];
        for (long n = 0; n * buf.length < size; n++) {
            LargeSnapshotWriter.chunk(n, buf);
            crc.update(buf, 0, (int) Math.min(buf.length, size - n * buf.length));
        }
        return crc.getValue();
    }
}
