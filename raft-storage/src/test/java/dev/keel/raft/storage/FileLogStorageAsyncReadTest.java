package dev.keel.raft.storage;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.storage.internal.ChannelFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.keel.raft.storage.TestLogs.WAIT_SECONDS;
import static dev.keel.raft.storage.TestLogs.await;
import static dev.keel.raft.storage.TestLogs.entries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link FileLogStorage#entriesAsync}: entries older than the cache are read on the log's reader thread, never on the
 * caller's, without holding the storage's lock while the disk is read, and are the same entries the synchronous
 * read returns.
 */
class FileLogStorageAsyncReadTest {
    @TempDir
    Path dir;

    private final List<FileLogStorage> opened = new ArrayList<>();
    /** Names of the threads that opened a segment file for reading. */
    private final Set<String> readingThreads = ConcurrentHashMap.newKeySet();
    /** While set, the reader thread waits on it before opening a file. */
    private volatile CountDownLatch gate;
    private final CountDownLatch readerAtGate = new CountDownLatch(1);

    @AfterEach
    void closeAll() {
        CountDownLatch g = gate;
        if (g != null) {
            g.countDown();
        }
        opened.forEach(FileLogStorage::close);
    }

    private final ChannelFactory channels = (Path path, OpenOption... options) -> {
        if (Arrays.asList(options).equals(List.of(StandardOpenOption.READ))) {
            readingThreads.add(Thread.currentThread().getName());
            CountDownLatch g = gate;
            if (g != null && Thread.currentThread().getName().startsWith("keel-log-read-")) {
                readerAtGate.countDown();
                try {
                    if (!g.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never opened the gate");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return FileChannel.open(path, options);
    };

    /**
     * Appends entries 1..{@code last} in term 1, then one more once they are written: with no cache budget, that
     * append evicts every written entry, so entries 1..{@code last} are read from the files.
     */
    private static void fill(FileLogStorage s, long last) throws Exception {
        await(s.append(entries(1, last, 1)));
        await(s.truncateSuffix(s.lastIndex() + 1));
        await(s.append(entries(last + 1, last + 1, 1)));
        assertThat(s.isCached(1, last + 1)).as("written entries are on disk only").isFalse();
    }

    /** Small segments and no cache beyond unwritten entries: almost every read goes to the files. */
    private FileLogStorage open() {
        FileLogStorage s = FileLogStorage.open(StorageConfig.builder(dir)
                .segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES).cacheSizeBytes(0).build(), channels);
        opened.add(s);
        return s;
    }

    @Test
    void anAsyncReadRunsOnTheReaderThreadAndReturnsWhatTheSynchronousReadReturns() throws Exception {
        FileLogStorage s = open();
        fill(s, 420);
        assertThat(s.isCached(421, 421)).as("an empty range needs no read").isTrue();

        long seed = TestLogs.seed("anAsyncReadRunsOnTheReaderThreadAndReturnsWhatTheSynchronousReadReturns");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 50; i++) {
            long from = 1 + random.nextInt(421);
            long to = from + random.nextInt((int) (422 - from)) + 1;
            long maxBytes = random.nextBoolean() ? Long.MAX_VALUE : 1 + random.nextInt(5000);
            readingThreads.clear();
            List<LogEntry> async = s.entriesAsync(from, to, maxBytes).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(readingThreads).as("threads that read files for [%d, %d)", from, to)
                    .allSatisfy(t -> assertThat(t).startsWith("keel-log-read-"));
            if (from <= 420) {
                assertThat(readingThreads).as("[%d, %d) is read from a file", from, to).isNotEmpty();
            }
            assertThat(async).as("[%d, %d) max %d", from, to, maxBytes).isEqualTo(s.entries(from, to, maxBytes));
        }
        assertThat(s.entriesAsync(5, 9, Long.MAX_VALUE).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEqualTo(entries(5, 8, 1));
    }

    @Test
    void theCallerIsNotHeldUpWhileTheReaderWaitsForTheDisk() throws Exception {
        FileLogStorage s = open();
        fill(s, 300);
        gate = new CountDownLatch(1);

        CompletableFuture<List<LogEntry>> read = s.entriesAsync(10, 200, Long.MAX_VALUE);
        assertThat(readerAtGate.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the reader reached the disk").isTrue();
        // The read is stuck "on the disk"; the caller's calls go on, appends included.
        assertThat(read).isNotDone();
        await(s.append(entries(302, 310, 1)));
        assertThat(s.lastIndex()).isEqualTo(310);
        assertThat(s.termAt(150)).isEqualTo(1);

        gate.countDown();
        assertThat(read.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(entries(10, 199, 1));
    }

    @Test
    void entriesPurgedWhileTheReadWaitsFailItWithIndexOutOfBounds() throws Exception {
        FileLogStorage s = open();
        fill(s, 300);
        gate = new CountDownLatch(1);

        CompletableFuture<List<LogEntry>> read = s.entriesAsync(1, 50, Long.MAX_VALUE);
        assertThat(readerAtGate.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        s.purgePrefix(250);
        assertThat(s.firstIndex()).isGreaterThan(50);
        await(s.truncateSuffix(s.lastIndex() + 1)); // the purged files are deleted by now

        gate.countDown();
        assertThatThrownBy(() -> read.get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IndexOutOfBoundsException.class);
        assertThat(s.failure()).as("entries compacted away are no storage failure").isEmpty();
        await(s.append(entries(302, 302, 1)));
    }

    @Test
    void aReadQueuedBeforeCloseFailsWithStorageException() throws Exception {
        FileLogStorage s = open();
        fill(s, 100);
        gate = new CountDownLatch(1);
        CompletableFuture<List<LogEntry>> first = s.entriesAsync(1, 50, Long.MAX_VALUE);
        assertThat(readerAtGate.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<List<LogEntry>> queued = s.entriesAsync(1, 50, Long.MAX_VALUE);
        s.close();
        gate.countDown();
        assertThatThrownBy(() -> queued.get(WAIT_SECONDS, TimeUnit.SECONDS)).hasCauseInstanceOf(StorageException.class);
        // The read already under way was planned before the close and reads files that are still there.
        assertThat(first).succeedsWithin(java.time.Duration.ofSeconds(WAIT_SECONDS)).isEqualTo(entries(1, 49, 1));
        assertThatThrownBy(() -> s.entriesAsync(1, 2, 10)).isInstanceOf(StorageException.class);
    }
}
