package dev.keel.raft.storage;

import dev.keel.raft.log.LogEntry;
import dev.keel.raft.storage.internal.SegmentFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Simulates power loss: while appends stream in, the segment files are copied cut at the size they had at their
 * last completed force (everything later was only in the page cache), optionally with garbage after the cut, as a
 * disk may show after losing power mid-write. Recovery must keep exactly that durable prefix: every acknowledged
 * entry, nothing torn.
 */
class PowerLossTest {
    @TempDir
    Path root;

    /** Size of each file at its last completed force; guarded by itself so a snapshot is consistent. */
    private final Map<Path, Long> forced = new HashMap<>();

    @Test
    void recoveryKeepsExactlyTheForcedPrefix() throws Exception {
        long seed = TestLogs.seed("recoveryKeepsExactlyTheForcedPrefix");
        SplittableRandom random = new SplittableRandom(seed);
        Path live = root.resolve("live");
        StorageConfig config = StorageConfig.builder(live).segmentSizeBytes(16 * 1024).build();
        List<LogEntry> appended = new ArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        List<Long> batchEnds = new ArrayList<>();
        try (FileLogStorage s = FileLogStorage.open(config, InterceptingChannel.factory(
                new InterceptingChannel.Interceptor() {
                    @Override
                    public void afterForce(Path path, long size) {
                        synchronized (forced) {
                            forced.put(path.getFileName(), size);
                        }
                    }
                }))) {
            long next = 1;
            long everAcknowledged = 0;
            for (int round = 0; round < 12; round++) {
                int appends = 1 + random.nextInt(150);
                for (int a = 0; a < appends; a++) {
                    List<LogEntry> batch = TestLogs.entries(next, next + random.nextInt(4), 1);
                    next += batch.size();
                    appended.addAll(batch);
                    futures.add(s.append(batch));
                    batchEnds.add(next - 1);
                }
                // The power fails now. Acknowledged first, then what the disk holds: anything acknowledged was
                // forced before its future completed, so it is inside the forced sizes read after.
                long acknowledged = 0;
                for (int i = 0; i < futures.size(); i++) {
                    if (futures.get(i).isDone() && !futures.get(i).isCompletedExceptionally()) {
                        acknowledged = batchEnds.get(i);
                    }
                }
                everAcknowledged = Math.max(everAcknowledged, acknowledged);
                Map<Path, Long> durable;
                synchronized (forced) {
                    durable = new HashMap<>(forced);
                }
                boolean garbage = random.nextBoolean();
                Path copy = root.resolve("after-power-loss-" + round);
                Map<Path, Long> cutSizes = copyDurablePrefix(live, copy, durable, garbage ? random : null);

                try (FileLogStorage r = FileLogStorage.open(StorageConfig.builder(copy).segmentSizeBytes(16 * 1024)
                        .build())) {
                    String what = "round " + round + " seed " + seed;
                    assertThat(r.lastIndex()).as(what).isGreaterThanOrEqualTo(acknowledged);
                    assertThat(r.entries(1, r.lastIndex() + 1, Long.MAX_VALUE)).as(what)
                            .isEqualTo(appended.subList(0, (int) r.lastIndex()));
                    for (Map.Entry<Path, Long> e : cutSizes.entrySet()) {
                        assertThat(Files.size(copy.resolve(e.getKey()))).as(what + ": " + e.getKey()
                                + " keeps exactly its forced bytes").isEqualTo(e.getValue());
                    }
                }
            }
            TestLogs.await(futures.get(futures.size() - 1));
            assertThat(everAcknowledged).as("some cut fell after acknowledged appends").isPositive();
        }
    }

    /**
     * Copies the segments of {@code from} that were ever forced, each cut at its forced size; a segment never
     * forced was never acknowledged as existing and is left out (its directory entry need not have survived).
     *
     * @return the cut size of each copied segment
     */
    private static Map<Path, Long> copyDurablePrefix(Path from, Path to, Map<Path, Long> durable,
                                                     SplittableRandom garbage) throws IOException {
        Files.createDirectories(to);
        Map<Path, Long> sizes = new HashMap<>();
        for (Path segment : SegmentFiles.listSegments(from)) {
            Long size = durable.get(segment.getFileName());
            if (size == null) {
                continue;
            }
            byte[] bytes = Arrays.copyOf(Files.readAllBytes(segment), (int) (long) size);
            Path target = to.resolve(segment.getFileName());
            Files.write(target, bytes);
            sizes.put(segment.getFileName(), size);
        }
        if (garbage != null && !sizes.isEmpty()) {
            Path last = SegmentFiles.listSegments(to).get(sizes.size() - 1);
            byte[] junk = new byte[1 + garbage.nextInt(3000)];
            garbage.nextBytes(junk);
            Files.write(last, junk, StandardOpenOption.APPEND);
        }
        return sizes;
    }
}
