package dev.keel.raft.storage;

import dev.keel.raft.NodeId;
import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.storage.internal.SegmentFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.keel.raft.storage.TestLogs.await;
import static dev.keel.raft.storage.TestLogs.entries;
import static dev.keel.raft.storage.TestLogs.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviour of {@link FileLogStorage} beyond the SPI contract: segments, purge, cache, lock, group commit. */
class FileLogStorageTest {
    @TempDir
    Path dir;

    private final List<FileLogStorage> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(FileLogStorage::close);
    }

    private StorageConfig smallSegments(long cacheBytes) {
        return StorageConfig.builder(dir).segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES)
                .cacheSizeBytes(cacheBytes).build();
    }

    private FileLogStorage open(StorageConfig config) {
        FileLogStorage s = FileLogStorage.open(config);
        opened.add(s);
        return s;
    }

    private FileLogStorage restart(FileLogStorage s) {
        s.close();
        return open(s.config());
    }

    /** Everything queued before is durable (and so every queued file operation done) when this returns. */
    private static void drain(FileLogStorage s) throws Exception {
        await(s.truncateSuffix(s.lastIndex() + 1));
    }

    @Test
    void purgeDeletesWholeSealedSegmentsBelowTheIndexAndSurvivesRestart() throws Exception {
        FileLogStorage s = open(smallSegments(0));
        await(s.append(entries(1, 500, 1)));
        int before = SegmentFiles.listSegments(dir).size();
        assertThat(before).isGreaterThan(5);

        s.purgePrefix(300);
        long first = s.firstIndex();
        assertThat(first).isBetween(2L, 301L);
        assertThat(s.entries(first, 501, Long.MAX_VALUE)).isEqualTo(entries(first, 500, 1));
        assertThatThrownBy(() -> s.termAt(first - 1)).isInstanceOf(IndexOutOfBoundsException.class);
        drain(s);
        assertThat(SegmentFiles.listSegments(dir)).hasSizeLessThan(before)
                .allSatisfy(p -> assertThat(SegmentFiles.parseBaseIndex(p)).isGreaterThanOrEqualTo(first));

        FileLogStorage r = restart(s);
        assertThat(r.firstIndex()).isEqualTo(first);
        assertThat(r.lastIndex()).isEqualTo(500);
        assertThat(r.entries(first, 501, Long.MAX_VALUE)).isEqualTo(entries(first, 500, 1));
    }

    @Test
    void purgeNeverDropsTheActiveSegment() throws Exception {
        FileLogStorage s = open(smallSegments(0));
        await(s.append(entries(1, 200, 1)));
        s.purgePrefix(10_000);
        assertThat(s.lastIndex()).isEqualTo(200);
        assertThat(s.firstIndex()).isBetween(2L, 200L);
        assertThat(s.entries(s.firstIndex(), 201, Long.MAX_VALUE)).isEqualTo(entries(s.firstIndex(), 200, 1));
        await(s.append(entries(201, 201, 1)));
        assertThat(restart(s).lastIndex()).isEqualTo(201);
    }

    @Test
    void resetQueuedBehindAppendsInFlightLeavesOneEmptySegmentAndTheLogGrowsAndPurgesFromThere() throws Exception {
        FileLogStorage s = open(smallSegments(0));
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (long i = 1; i <= 400; i += 20) {
            pending.add(s.append(entries(i, i + 19, 1)));
        }
        CompletableFuture<Void> reset = s.reset(2_000);
        assertThat(s.firstIndex()).isEqualTo(2_000);
        assertThat(s.lastIndex()).isEqualTo(1_999);
        await(reset);
        assertThat(pending).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(SegmentFiles.listSegments(dir)).containsExactly(SegmentFiles.segmentPath(dir, 2_000));

        await(s.append(entries(2_000, 2_299, 2)));
        assertThat(SegmentFiles.listSegments(dir)).hasSizeGreaterThan(3);
        assertThat(s.entries(2_000, 2_300, Long.MAX_VALUE)).isEqualTo(entries(2_000, 2_299, 2));
        s.purgePrefix(2_200);
        drain(s);
        long first = s.firstIndex();
        assertThat(first).isBetween(2_001L, 2_201L);

        FileLogStorage r = restart(s);
        assertThat(r.firstIndex()).isEqualTo(first);
        assertThat(r.lastIndex()).isEqualTo(2_299);
        assertThat(r.entries(first, 2_300, Long.MAX_VALUE)).isEqualTo(entries(first, 2_299, 2));
    }

    @Test
    void aResetRejectsAnIndexBelowOne() {
        FileLogStorage s = open(smallSegments(0));
        assertThatThrownBy(() -> s.reset(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }

    @Test
    void entriesOlderThanTheCacheAreReadBackFromTheSegmentFiles() throws Exception {
        FileLogStorage s = open(smallSegments(0));
        CompletableFuture<Void> last = null;
        for (long i = 1; i <= 300; i += 10) {
            last = s.append(entries(i, i + 9, 1 + i / 100));
        }
        await(last);
        // Cache budget 0: everything written has been evicted by the next append, so these reads hit the files.
        await(s.append(entries(301, 301, 4)));
        List<LogEntry> expected = new ArrayList<>();
        for (long i = 1; i <= 300; i++) {
            expected.add(entry(i, 1 + ((i - 1) / 10 * 10 + 1) / 100));
        }
        expected.add(entry(301, 4));
        assertThat(s.entries(1, 302, Long.MAX_VALUE)).isEqualTo(expected);
        assertThat(s.entries(37, 250, 1)).containsExactly(expected.get(36));
        long budget = expected.get(99).sizeInBytes() + expected.get(100).sizeInBytes();
        assertThat(s.entries(100, 300, budget)).containsExactly(expected.get(99), expected.get(100));
    }

    @Test
    void truncatingIntoASealedSegmentDeletesLaterSegmentsAndAppendsContinueThere() throws Exception {
        FileLogStorage s = open(smallSegments(1024));
        await(s.append(entries(1, 400, 1)));
        int segments = SegmentFiles.listSegments(dir).size();
        await(s.truncateSuffix(50));
        assertThat(s.lastIndex()).isEqualTo(49);
        assertThat(SegmentFiles.listSegments(dir)).hasSizeLessThan(segments);
        await(s.append(entries(50, 120, 2)));
        assertThat(s.termAt(49)).isEqualTo(1);
        assertThat(s.termAt(50)).isEqualTo(2);

        FileLogStorage r = restart(s);
        List<LogEntry> expected = new ArrayList<>(entries(1, 49, 1));
        expected.addAll(entries(50, 120, 2));
        assertThat(r.entries(1, 121, Long.MAX_VALUE)).isEqualTo(expected);
    }

    @Test
    void truncatingEntriesNotYetWrittenNeverExposesTheOldOnes() throws Exception {
        FileLogStorage s = open(smallSegments(0));
        s.append(entries(1, 100, 1));
        s.truncateSuffix(60);
        s.append(entries(60, 80, 2));
        s.truncateSuffix(70);
        CompletableFuture<Void> last = s.append(entries(70, 90, 3));
        List<LogEntry> expected = new ArrayList<>(entries(1, 59, 1));
        expected.addAll(entries(60, 69, 2));
        expected.addAll(entries(70, 90, 3));
        assertThat(s.entries(1, 91, Long.MAX_VALUE)).isEqualTo(expected);
        await(last);
        assertThat(s.entries(1, 91, Long.MAX_VALUE)).isEqualTo(expected);
        assertThat(restart(s).entries(1, 91, Long.MAX_VALUE)).isEqualTo(expected);
    }

    @Test
    void anEntryLargerThanTheSegmentAndTheWriteBufferRoundTrips() throws Exception {
        FileLogStorage s = open(smallSegments(0));
        byte[] big = new byte[3 * 1024 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 7 + (i >> 13));
        }
        await(s.append(entries(1, 3, 1)));
        await(s.append(List.of(LogEntry.command(4, 1, big), entry(5, 1))));
        FileLogStorage r = restart(s);
        assertThat(r.entries(4, 5, Long.MAX_VALUE).get(0).data()).isEqualTo(big);
        assertThat(r.entries(5, 6, Long.MAX_VALUE)).containsExactly(entry(5, 1));
    }

    @Test
    void hardStateWithAVoteSurvivesRestartAndLeavesNoTemporaryFile() throws Exception {
        FileLogStorage s = open(smallSegments(0));
        await(s.saveHardState(new HardState(5, NodeId.of("node-3.east"))));
        FileLogStorage r = restart(s);
        assertThat(r.hardState()).isEqualTo(new HardState(5, NodeId.of("node-3.east")));
        assertThat(SegmentFiles.listTemporaries(dir)).isEmpty();
    }

    @Test
    void appendsIssuedWhileAForceIsInFlightShareTheNextForce() throws Exception {
        AtomicInteger forces = new AtomicInteger();
        AtomicBoolean holdNextForce = new AtomicBoolean();
        CountDownLatch forceEntered = new CountDownLatch(1);
        CountDownLatch releaseForce = new CountDownLatch(1);
        FileLogStorage s = FileLogStorage.open(smallSegments(1 << 20),
                InterceptingChannel.factory(new InterceptingChannel.Interceptor() {
                    @Override
                    public void beforeForce(Path path) throws IOException {
                        forces.incrementAndGet();
                        if (holdNextForce.compareAndSet(true, false)) {
                            forceEntered.countDown();
                            try {
                                // A slow disk: everything the test submits now arrives while this force runs.
                                releaseForce.await(TestLogs.WAIT_SECONDS, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                throw new IOException(e);
                            }
                        }
                    }
                }));
        opened.add(s);
        holdNextForce.set(true);
        int forcesBefore = forces.get();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        futures.add(s.append(List.of(LogEntry.command(1, 1, new byte[16]))));
        assertThat(forceEntered.await(TestLogs.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        for (long i = 2; i <= 200; i++) {
            futures.add(s.append(List.of(LogEntry.command(i, 1, new byte[16]))));
        }
        assertThat(futures.get(199)).isNotDone();
        releaseForce.countDown();
        await(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)));
        // One force for the first append, one for the 199 gathered behind it; each segment roll adds a seal force
        // and a directory force.
        int rolls = SegmentFiles.listSegments(dir).size() - 1;
        assertThat(forces.get() - forcesBefore).isLessThanOrEqualTo(2 + 2 * rolls);
    }

    @Test
    void aSecondStorageOnTheSameDirectoryIsRefusedUntilTheFirstCloses() {
        FileLogStorage s = open(smallSegments(0));
        assertThatThrownBy(() -> FileLogStorage.open(smallSegments(0)))
                .isInstanceOf(StorageException.class).hasMessageContaining("already open in this JVM")
                .hasMessageContaining(dir.toString());
        s.close();
        FileLogStorage again = open(smallSegments(0));
        assertThat(again.lastIndex()).isZero();
    }

    @Test
    void aClosedStorageRejectsCallsAndCloseIsIdempotent() throws Exception {
        FileLogStorage s = open(smallSegments(0));
        await(s.append(entries(1, 2, 1)));
        s.close();
        s.close();
        assertThatThrownBy(s::lastIndex).isInstanceOf(StorageException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> s.append(entries(3, 3, 1))).isInstanceOf(StorageException.class);
    }

    @Test
    void closeFromAFutureCallbackDoesNotDeadlock() throws Exception {
        FileLogStorage s = open(smallSegments(0));
        CompletableFuture<Void> closed = s.append(entries(1, 1, 1)).thenRun(s::close);
        closed.get(TestLogs.WAIT_SECONDS, TimeUnit.SECONDS);
        // The I/O thread finishes on its own and releases the lock; reopening waits for that with a deadline.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestLogs.WAIT_SECONDS);
        FileLogStorage again = null;
        while (again == null) {
            try {
                again = open(smallSegments(0));
            } catch (StorageException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
        assertThat(again.lastIndex()).isEqualTo(1);
    }

    @Test
    void aFileInTheWayOfTheDirectoryIsReportedClearly() throws IOException {
        Path file = dir.resolve("not-a-dir");
        java.nio.file.Files.writeString(file, "x");
        assertThatThrownBy(() -> FileLogStorage.open(StorageConfig.builder(file).build()))
                .isInstanceOf(StorageException.class).hasMessageContaining(file.toString());
    }
}
