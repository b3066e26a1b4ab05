package dev.keel.raft.storage;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.storage.internal.ChannelFactory;
import dev.keel.raft.storage.internal.DirectoryLock;
import dev.keel.raft.storage.internal.EntryCache;
import dev.keel.raft.storage.internal.LogRecovery;
import dev.keel.raft.storage.internal.LogWriter;
import dev.keel.raft.storage.internal.ReadPlan;
import dev.keel.raft.storage.internal.RecordFormat;
import dev.keel.raft.storage.internal.Segment;
import dev.keel.raft.storage.internal.SegmentFiles;
import dev.keel.raft.storage.internal.TermIndex;
import dev.keel.raft.storage.internal.WriteOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.CRC32C;

/**
 * A durable {@link LogStorage} in a directory of append-only segment files, with group commit on a dedicated I/O
 * thread. See {@code raft-storage/README.md} for the on-disk format and the recovery rules.
 *
 * <h2>Lifecycle</h2>
 * {@link #open(StorageConfig)} locks the directory (a second open, from this or another process, fails with a
 * {@link StorageException}), verifies every file, finishes an interrupted truncation or reset, cuts a torn tail,
 * rebuilds the in-memory index and starts the I/O thread. {@link #close()} makes queued mutations durable, stops
 * the thread and releases the lock.
 *
 * <h2>Threading</h2>
 * Methods are safe to call from any thread but are meant to be called from one (the Raft event loop), since a
 * sequence such as {@code append(lastIndex() + 1 ..)} is not atomic across threads. Mutations only update memory
 * and queue work for the I/O thread, so they never wait for the disk; {@link #entries} reads a file only for
 * entries older than the in-memory cache of recent entries ({@link #isCached} tells), and {@link #entriesAsync} reads
 * those on a reader thread of its own instead of the caller's. Futures of mutations complete on the I/O thread, in
 * call order; callbacks must not block it.
 *
 * <h2>Failures</h2>
 * Corruption found at open refuses the open with a {@link StorageException} naming the file, offset and problem.
 * The first I/O error after that (disk full, EIO) fails the pending futures and every later mutation with a
 * {@link StorageException}; the storage stays failed (fail-stop, see {@link #failure()}), nothing is retried, and
 * it must be closed. A checksum mismatch found when reading an old entry is reported the same way.
 */
public final class FileLogStorage implements LogStorage {
    private static final Logger log = LoggerFactory.getLogger(FileLogStorage.class);

    private final StorageConfig config;
    private final ChannelFactory channels;
    private final LogWriter writer;
    private final List<Segment> segments;
    private final TermIndex terms;
    private final EntryCache cache;
    private final CRC32C readCrc = new CRC32C();
    private final CRC32C readerCrc = new CRC32C(); // the reader thread's
    // Counts truncations, resets and purges: a read planned under one version is valid only if it is still current.
    private long layoutVersion;
    private ExecutorService reader;
    private HardState hardState;
    private long nextSeq = 1;
    private boolean closed;
    private volatile StorageException readFailure;

    private FileLogStorage(StorageConfig config, ChannelFactory channels, LogWriter writer,
                           LogRecovery.RecoveredLog recovered) {
        this.config = config;
        this.channels = channels;
        this.writer = writer;
        this.segments = new ArrayList<>(recovered.segments());
        this.terms = recovered.terms();
        this.hardState = recovered.hardState();
        this.cache = new EntryCache(config.cacheSizeBytes(), lastSegment().lastIndex() + 1);
    }

    /**
     * Opens (creating if needed) the log in {@code config.directory()}.
     *
     * @throws StorageException if the directory is locked by another storage or process, cannot be read, or holds a
     *                          corrupt log (the message names file, offset and problem)
     */
    public static FileLogStorage open(StorageConfig config) {
        return open(config, ChannelFactory.DEFAULT);
    }

    /** As {@link #open(StorageConfig)}, with the channels opened by {@code channels}: the seam for fault tests. */
    static FileLogStorage open(StorageConfig config, ChannelFactory channels) {
        Objects.requireNonNull(config, "config");
        Path dir = config.directory();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create log directory " + dir + ": " + e, e);
        }
        DirectoryLock lock = DirectoryLock.acquire(dir);
        try {
            LogRecovery.RecoveredLog recovered = LogRecovery.recover(dir, channels);
            Segment last = recovered.segments().get(recovered.segments().size() - 1);
            LogWriter writer = new LogWriter(dir, channels, config.fsyncPolicy() == FsyncPolicy.ALWAYS,
                    last.baseIndex(), last.endPosition(), lock::close);
            FileLogStorage storage = new FileLogStorage(config, channels, writer, recovered);
            writer.start();
            log.info("Opened log {}: entries [{}, {}] in {} segments, hard state term {}", dir,
                    storage.firstIndex(), storage.lastIndex(), recovered.segments().size(),
                    recovered.hardState().term());
            return storage;
        } catch (IOException e) {
            lock.close();
            throw new StorageException("cannot open the log in " + dir + ": " + e, e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The configuration this storage was opened with. */
    public StorageConfig config() {
        return config;
    }

    /**
     * Reports the latency of every force of the log to disk and the entries each made durable
     * ({@link dev.keel.raft.metrics.KeelMetrics#FSYNC_LATENCY}, {@link dev.keel.raft.metrics.KeelMetrics#FSYNC_BATCH});
     * a {@code RaftServer} calls it with its registry. Forces that take over 10 ms are also JFR events
     * ({@code dev.keel.raft.SlowFsync}), whether or not metrics are bound.
     */
    @Override
    public void bindMetrics(dev.keel.raft.metrics.MetricsRegistry metrics) {
        writer.bindMetrics(Objects.requireNonNull(metrics, "metrics"));
    }

    /** The failure that stopped this storage (fail-stop), if any. */
    public Optional<StorageException> failure() {
        StorageException f = writer.failure();
        return Optional.ofNullable(f != null ? f : readFailure);
    }

    @Override
    public synchronized HardState hardState() {
        checkOpen();
        return hardState;
    }

    @Override
    public CompletableFuture<Void> saveHardState(HardState state) {
        Objects.requireNonNull(state, "state");
        synchronized (this) {
            checkOpen();
            Optional<StorageException> failed = failure();
            if (failed.isPresent()) {
                return CompletableFuture.failedFuture(failed.get());
            }
            hardState = state;
            CompletableFuture<Void> done = new CompletableFuture<>();
            writer.submit(new WriteOp.SaveHardState(state, done));
            return done;
        }
    }

    @Override
    public synchronized long firstIndex() {
        checkOpen();
        return segments.get(0).baseIndex();
    }

    @Override
    public synchronized long lastIndex() {
        checkOpen();
        return lastSegment().lastIndex();
    }

    @Override
    public synchronized long termAt(long index) {
        checkOpen();
        if (index < firstIndex() || index > lastIndex()) {
            throw new IndexOutOfBoundsException("index " + index + " is outside the log [" + firstIndex() + ", "
                    + lastIndex() + "]");
        }
        return terms.termAt(index);
    }

    @Override
    public synchronized List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        checkOpen();
        ReadPlan plan = plan(fromIndex, toIndex, maxBytes);
        List<LogEntry> out = new ArrayList<>((int) Math.min(toIndex - fromIndex, 1024));
        for (ReadPlan.FileRun run : plan.runs()) {
            readFromFile(run.segment(), run.from(), run.upTo(), out);
        }
        out.addAll(plan.cached());
        return out;
    }

    /** Whether the range starts in the cache of recent entries, so that {@link #entries} reads no file. */
    @Override
    public synchronized boolean isCached(long fromIndex, long toIndex) {
        checkOpen();
        return fromIndex >= toIndex || fromIndex >= cache.firstIndex();
    }

    /**
     * Reads the entries on this log's reader thread ({@code keel-log-read-<dir>}, started on first use), never on the
     * caller's, and completes the future there: callbacks must not block it. The reader plans the read under this
     * storage's lock (which indexes, which file offsets), reads the files without holding it, so the event loop's
     * calls are never held up by the disk, and uses the result only if no truncation, reset or purge changed the
     * files' layout meanwhile; otherwise it plans again, and entries purged meanwhile fail the future with an
     * {@link IndexOutOfBoundsException}.
     */
    @Override
    public CompletableFuture<List<LogEntry>> entriesAsync(long fromIndex, long toIndex, long maxBytes) {
        CompletableFuture<List<LogEntry>> done = new CompletableFuture<>();
        synchronized (this) {
            checkOpen();
            if (reader == null) {
                reader = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "keel-log-read-" + config.directory().getFileName());
                    t.setDaemon(true);
                    return t;
                });
            }
            reader.execute(() -> readOffThread(fromIndex, toIndex, maxBytes, done));
        }
        return done;
    }

    /** On the reader thread: see {@link #entriesAsync}. */
    private void readOffThread(long fromIndex, long toIndex, long maxBytes, CompletableFuture<List<LogEntry>> done) {
        try {
            while (true) {
                ReadPlan.Detached plan;
                synchronized (this) {
                    checkOpen();
                    plan = plan(fromIndex, toIndex, maxBytes).detach(layoutVersion);
                }
                List<LogEntry> out = new ArrayList<>();
                StorageException failed = null;
                try {
                    plan.readFiles(channels, readerCrc, out);
                } catch (StorageException e) {
                    failed = e;
                }
                synchronized (this) {
                    if (plan.layoutVersion() != layoutVersion) {
                        continue; // The files changed under the read (a purge deleted one, say): plan it again.
                    }
                    if (failed != null) {
                        noteReadFailure(failed);
                        throw failed;
                    }
                }
                out.addAll(plan.cached());
                done.complete(out);
                return;
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }

    /**
     * What {@link #entries} reads for a range: runs of records in segment files (entries older than the cache),
     * sized from the offset index so that the total stays within {@code maxBytes}, then entries from the cache.
     */
    private ReadPlan plan(long fromIndex, long toIndex, long maxBytes) {
        long first = firstIndex();
        long end = lastIndex() + 1;
        if (fromIndex < first || fromIndex > toIndex || toIndex > end) {
            throw new IndexOutOfBoundsException("range [" + fromIndex + ", " + toIndex + ") is outside the log ["
                    + first + ", " + end + ")");
        }
        List<ReadPlan.FileRun> runs = new ArrayList<>();
        long count = 0;
        long bytes = 0;
        long index = fromIndex;
        long fileEnd = Math.min(toIndex, cache.firstIndex());
        while (index < fileEnd) {
            // Older entries: size them from the offset index first, then read them with one call per segment.
            Segment segment = segmentFor(index);
            long stop = Math.min(fileEnd, segment.lastIndex() + 1);
            long upTo = index;
            while (upTo < stop) {
                long size = RecordFormat.entrySizeOfRecord(segment.offsetOf(upTo + 1) - segment.offsetOf(upTo));
                if (count + (upTo - index) > 0 && bytes + size > maxBytes) {
                    break;
                }
                bytes += size;
                upTo++;
            }
            if (upTo > index) {
                runs.add(new ReadPlan.FileRun(segment, index, upTo));
            }
            count += upTo - index;
            if (upTo < stop) {
                return new ReadPlan(runs, List.of());
            }
            index = upTo;
        }
        List<LogEntry> cached = new ArrayList<>();
        for (; index < toIndex; index++) {
            LogEntry e = cache.get(index);
            if (count > 0 && bytes + e.sizeInBytes() > maxBytes) {
                break;
            }
            bytes += e.sizeInBytes();
            count++;
            cached.add(e);
        }
        return new ReadPlan(runs, cached);
    }

    @Override
    public CompletableFuture<Void> append(List<LogEntry> entries) {
        List<LogEntry> batch = List.copyOf(entries);
        synchronized (this) {
            checkOpen();
            // A failed storage answers every mutation with its failure, whatever the arguments: the server then
            // sees the one error that matters, not an index complaint caused by earlier failed appends.
            Optional<StorageException> failed = failure();
            if (failed.isPresent()) {
                return CompletableFuture.failedFuture(failed.get());
            }
            if (batch.isEmpty()) {
                throw new IllegalArgumentException("append needs at least one entry");
            }
            long expected = lastIndex() + 1;
            for (LogEntry e : batch) {
                if (e.index() != expected) {
                    throw new IllegalArgumentException("append expected index " + expected + " but got "
                            + e.index() + " (entries must be consecutive and start at lastIndex() + 1)");
                }
                if (e.data().length > RecordFormat.MAX_PAYLOAD_BYTES) {
                    throw new IllegalArgumentException("entry " + e.index() + " holds " + e.data().length
                            + " bytes; the limit is " + RecordFormat.MAX_PAYLOAD_BYTES);
                }
                expected++;
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            planAppend(batch, done);
            cache.evict(writer.writtenSeq());
            return done;
        }
    }

    /** Lays the entries out in segments (rolling when one is full) and queues their writes. */
    private void planAppend(List<LogEntry> batch, CompletableFuture<Void> done) {
        Segment segment = lastSegment();
        int partStart = 0;
        int partPosition = segment.endPosition();
        long seq = nextSeq++;
        for (int i = 0; i < batch.size(); i++) {
            LogEntry e = batch.get(i);
            int size = RecordFormat.recordSize(e);
            if (segment.entryCount() > 0 && (long) segment.endPosition() + size > config.segmentSizeBytes()) {
                if (i > partStart) {
                    writer.submit(new WriteOp.Append(seq, segment.baseIndex(), partPosition,
                            batch.subList(partStart, i), null));
                    seq = nextSeq++;
                }
                segment = Segment.empty(e.index(), SegmentFiles.segmentPath(config.directory(), e.index()));
                segments.add(segment);
                writer.submit(new WriteOp.Roll(e.index()));
                partStart = i;
                partPosition = segment.endPosition();
            }
            segment.append(size);
            terms.append(e.index(), e.term());
            cache.add(e, seq);
        }
        writer.submit(new WriteOp.Append(seq, segment.baseIndex(), partPosition,
                batch.subList(partStart, batch.size()), done));
    }

    @Override
    public synchronized CompletableFuture<Void> truncateSuffix(long fromIndex) {
        checkOpen();
        Optional<StorageException> failed = failure();
        if (failed.isPresent()) {
            return CompletableFuture.failedFuture(failed.get());
        }
        if (fromIndex < firstIndex() || fromIndex > lastIndex() + 1) {
            throw new IndexOutOfBoundsException("cannot truncate from " + fromIndex + ": the log holds ["
                    + firstIndex() + ", " + lastIndex() + "]");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (fromIndex == lastIndex() + 1) {
            writer.submit(new WriteOp.Barrier(done));
            return done;
        }
        layoutVersion++;
        int keep = slotFor(fromIndex);
        long[] deleted = new long[segments.size() - 1 - keep];
        for (int i = segments.size() - 1; i > keep; i--) {
            Segment gone = segments.remove(i);
            gone.closeReader();
            deleted[i - keep - 1] = gone.baseIndex();
        }
        Segment segment = segments.get(keep);
        segment.truncateFrom(fromIndex);
        terms.truncateFrom(fromIndex);
        cache.truncateFrom(fromIndex);
        writer.submit(new WriteOp.Truncate(fromIndex, segment.baseIndex(), segment.endPosition(), deleted, done));
        return done;
    }

    /**
     * Discards every entry; the log continues at {@code nextIndex}, which may lie below, inside or beyond the current
     * range. Visible at once; on disk, the I/O thread records the intent durably, deletes every segment file, creates
     * an empty one at {@code nextIndex}, forces it and the directory and removes the intent, so that recovery yields
     * the old log or the empty one, never a mix (see the README).
     *
     * @throws IllegalArgumentException if {@code nextIndex} is below 1
     */
    @Override
    public synchronized CompletableFuture<Void> reset(long nextIndex) {
        checkOpen();
        Optional<StorageException> failed = failure();
        if (failed.isPresent()) {
            return CompletableFuture.failedFuture(failed.get());
        }
        if (nextIndex < 1) {
            throw new IllegalArgumentException("reset needs a next index of at least 1, was " + nextIndex);
        }
        layoutVersion++;
        for (Segment s : segments) {
            s.closeReader();
        }
        segments.clear();
        segments.add(Segment.empty(nextIndex, SegmentFiles.segmentPath(config.directory(), nextIndex)));
        terms.clear(nextIndex);
        cache.clear(nextIndex);
        CompletableFuture<Void> done = new CompletableFuture<>();
        writer.submit(new WriteOp.Reset(nextIndex, done));
        return done;
    }

    /**
     * Deletes the whole sealed segments whose entries are all at or below {@code upToIndex}; the active segment is
     * always kept, so {@link #firstIndex()} may stay below {@code upToIndex + 1}. The files go in the background;
     * a crash before that brings them back, which the contract allows.
     */
    @Override
    public synchronized void purgePrefix(long upToIndex) {
        checkOpen();
        long limit = Math.min(upToIndex, lastIndex());
        int drop = 0;
        while (drop < segments.size() - 1 && segments.get(drop).lastIndex() <= limit) {
            drop++;
        }
        if (drop == 0 || failure().isPresent()) {
            return;
        }
        layoutVersion++;
        long[] bases = new long[drop];
        for (int i = 0; i < drop; i++) {
            Segment gone = segments.remove(0);
            gone.closeReader();
            bases[i] = gone.baseIndex();
        }
        long first = segments.get(0).baseIndex();
        terms.purgeBelow(first);
        cache.dropBelow(first);
        writer.submit(new WriteOp.Purge(bases));
    }

    /**
     * Makes every queued mutation durable, stops the I/O thread and releases the directory lock. Idempotent. When
     * called from a future's callback (on the I/O thread) it returns at once and the thread finishes on its own.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            writer.submit(new WriteOp.Shutdown());
            if (reader != null) {
                reader.shutdown(); // a read still queued finds the storage closed and fails
            }
            for (Segment s : segments) {
                s.closeReader();
            }
        }
        // Outside the lock: callbacks running on the I/O thread may still call into this storage.
        if (!writer.isIoThread()) {
            writer.awaitTermination();
        }
    }

    private void readFromFile(Segment segment, long from, long toExclusive, List<LogEntry> out) {
        if (from == toExclusive) {
            return;
        }
        try {
            segment.read(channels, from, toExclusive, readCrc, out);
        } catch (StorageException e) {
            noteReadFailure(e);
            throw e;
        }
    }

    private void noteReadFailure(StorageException e) {
        if (readFailure == null) {
            readFailure = e;
            log.error("Log storage in {} failed a read; it accepts no more writes (fail-stop)", config.directory(), e);
        }
    }

    private Segment lastSegment() {
        return segments.get(segments.size() - 1);
    }

    private Segment segmentFor(long index) {
        return segments.get(slotFor(index));
    }

    /** Position in {@link #segments} of the last segment whose base index is at most {@code index}. */
    private int slotFor(long index) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments.get(mid).baseIndex() <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("the log storage in " + config.directory() + " is closed");
        }
    }
}
