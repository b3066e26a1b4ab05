package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.MetricsRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.zip.CRC32C;

/**
 * The storage's one I/O thread. It takes every {@link WriteOp} queued since its last round, writes the appends
 * with as few {@code write} calls as the buffer allows, forces once, and only then completes the futures, in
 * order: mutations submitted while a force is in flight share the next one (group commit). Operations that must be
 * ordered against the data (hard state, truncation, segment roll) force the data written before them first, so
 * that durability always follows call order.
 *
 * <p>The first I/O error is fatal: that round's futures and every later one fail with the same
 * {@link StorageException}, nothing is retried, and the thread keeps draining (failing) operations until shut
 * down. Only the I/O thread touches the write channels.
 */
public final class LogWriter {
    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);
    private static final int MAX_BATCH_OPS = 8192;
    private static final int BUFFER_BYTES = 1 << 20;
    private static final long SPIN_NANOS = 50_000;
    private static final int SPIN_CONFIDENCE_MAX = 3;
    private static final String WRITING_ACTIVE = "writing the active segment";
    private static final String FORCING_ACTIVE = "forcing the active segment";

    private final Path directory;
    private final String directoryName;
    private final ChannelFactory channels;
    private final boolean fsync;
    private final Runnable onExit;
    private final LinkedBlockingQueue<WriteOp> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile long writtenSeq;
    private volatile StorageException failure;
    private volatile Meters meters = Meters.NONE;

    // Owned by the I/O thread.
    private long activeBase;
    private FileChannel active;
    private long filePosition; // file offset where the buffer's first byte goes
    private boolean dirty;
    private boolean createdFile; // a segment was created since the directory was last forced
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private long bufferedSeq;
    private final ByteBuffer recordHeader = ByteBuffer.allocate(RecordFormat.HEADER_BYTES);
    private final CRC32C crc = new CRC32C();
    private Path activePath;
    // What the I/O thread is doing, for the error message of a failure. The steps of every round (write, force) are
    // constants, described with the active segment only if they fail, so that the write path allocates nothing.
    private String step = "starting";
    // What the next force makes durable, for the fsync batch-size metric and the slow-fsync event.
    private long entriesSinceForce;
    private long bytesSinceForce;
    // Saturating counter: up when the next operation arrived within SPIN_NANOS of the end of a round, down when not.
    private int spinConfidence;

    /**
     * Opens the active segment for writing at {@code activeEnd}; call {@link #start()} next.
     *
     * @param onExit run on the I/O thread once it has closed its files (releases the directory lock)
     */
    public LogWriter(Path directory, ChannelFactory channels, boolean fsync, long activeBase, int activeEnd,
                     Runnable onExit) throws IOException {
        this.directory = directory;
        this.directoryName = directory.toString();
        this.channels = channels;
        this.fsync = fsync;
        this.onExit = onExit;
        this.activeBase = activeBase;
        this.activePath = SegmentFiles.segmentPath(directory, activeBase);
        this.active = channels.open(activePath, StandardOpenOption.WRITE);
        this.filePosition = activeEnd;
        this.thread = new Thread(this::run, "keel-log-io-" + directory.getFileName());
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** The fsync latency and batch-size meters (see {@link KeelMetrics#FSYNC_LATENCY}). */
    private record Meters(MetricsRegistry.Histogram latency, MetricsRegistry.Histogram batch) {
        static final Meters NONE = new Meters(v -> { }, v -> { });
    }

    /** Reports fsync latency and batch sizes to {@code metrics} from now on; any thread. */
    public void bindMetrics(MetricsRegistry metrics) {
        meters = new Meters(metrics.histogram(KeelMetrics.FSYNC_LATENCY, Map.of()),
                metrics.histogram(KeelMetrics.FSYNC_BATCH, Map.of()));
    }

    /** Queues an operation; never blocks. */
    public void submit(WriteOp op) {
        queue.add(op);
    }

    /** Sequence number of the last {@link WriteOp.Append} whose bytes are in the file (maybe not yet forced). */
    public long writtenSeq() {
        return writtenSeq;
    }

    /** The failure that stopped this writer, or null. */
    public StorageException failure() {
        return failure;
    }

    /** Whether the caller is the I/O thread itself (a future's callback). */
    public boolean isIoThread() {
        return Thread.currentThread() == thread;
    }

    /** Waits for the thread to end after a {@link WriteOp.Shutdown}. */
    public void awaitTermination() {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                // Returning early would release the directory lock's owner while files are still being written.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<WriteOp> batch = new ArrayList<>();
        boolean running = true;
        try {
            while (running) {
                batch.clear();
                long idleSince = System.nanoTime();
                WriteOp first = spinConfidence > 0 ? spinForNext(idleSince) : null;
                try {
                    batch.add(first != null ? first : queue.take());
                } catch (InterruptedException e) {
                    continue; // nobody interrupts this thread on purpose; keep serving
                }
                learnWhetherToSpin(System.nanoTime() - idleSince);
                queue.drainTo(batch, MAX_BATCH_OPS - 1);
                running = !(batch.get(batch.size() - 1) instanceof WriteOp.Shutdown);
                if (failure == null) {
                    try {
                        execute(batch);
                    } catch (IOException | RuntimeException e) {
                        fail(e);
                    }
                }
                complete(batch);
            }
        } finally {
            closeActive();
            onExit.run();
        }
    }

    /**
     * Polls for the next operation for a few microseconds before parking. When a writer submits its next append
     * right after the last one completed (one synchronous writer), catching it here saves a park and an unpark
     * (10-40 µs on a busy machine) per append. When nothing comes that fast (a Raft node at low load: the next append
     * follows a network round trip), spinning only burns a core the event loops need, so it happens only while the
     * recent gaps between rounds were short ({@link #learnWhetherToSpin}).
     */
    private WriteOp spinForNext(long from) {
        long deadline = from + SPIN_NANOS;
        do {
            WriteOp op = queue.poll();
            if (op != null) {
                return op;
            }
            Thread.onSpinWait();
        } while (System.nanoTime() < deadline);
        return null;
    }

    private void learnWhetherToSpin(long idleNanos) {
        if (idleNanos <= SPIN_NANOS) {
            spinConfidence = Math.min(SPIN_CONFIDENCE_MAX, spinConfidence + 1);
        } else {
            spinConfidence = Math.max(0, spinConfidence - 1);
        }
    }

    private void execute(List<WriteOp> batch) throws IOException {
        for (WriteOp op : batch) {
            if (op instanceof WriteOp.Append a) {
                append(a);
            } else if (op instanceof WriteOp.Roll r) {
                roll(r.baseIndex());
            } else if (op instanceof WriteOp.SaveHardState h) {
                flush();
                force();
                step = "saving the hard state in " + directory;
                HardStateFile.write(channels, directory, h.state(), fsync);
            } else if (op instanceof WriteOp.Truncate t) {
                truncate(t);
            } else if (op instanceof WriteOp.Reset r) {
                reset(r.nextIndex());
            } else if (op instanceof WriteOp.Purge p) {
                purge(p.deletedBases());
            }
            // Barrier and Shutdown change nothing: the flush and force below make everything before them durable.
        }
        flush();
        force();
    }

    private void complete(List<WriteOp> batch) {
        StorageException f = failure;
        for (WriteOp op : batch) {
            CompletableFuture<Void> done = op.done();
            if (done != null) {
                if (f == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(f);
                }
            }
        }
    }

    private void append(WriteOp.Append a) throws IOException {
        long expected = filePosition + buffer.position();
        if (a.segmentBase() != activeBase || a.position() != expected) {
            throw new IllegalStateException("internal error: append planned for segment " + a.segmentBase()
                    + " offset " + a.position() + " but the active segment is " + activeBase + " at offset "
                    + expected);
        }
        for (LogEntry e : a.entries()) {
            int size = RecordFormat.recordSize(e);
            if (size > buffer.remaining()) {
                flush();
            }
            if (size > buffer.capacity()) {
                writeLarge(e);
            } else {
                RecordFormat.encode(e, buffer, crc);
            }
            bytesSinceForce += size;
        }
        entriesSinceForce += a.entries().size();
        bufferedSeq = a.seq();
    }

    private void writeLarge(LogEntry e) throws IOException {
        step = WRITING_ACTIVE;
        recordHeader.clear();
        RecordFormat.encodeHeader(e, recordHeader, crc);
        FileIo.writeFully(active, recordHeader.flip(), filePosition);
        FileIo.writeFully(active, ByteBuffer.wrap(e.data()), filePosition + RecordFormat.HEADER_BYTES);
        filePosition += RecordFormat.recordSize(e);
        dirty = true;
    }

    private void flush() throws IOException {
        if (buffer.position() > 0) {
            step = WRITING_ACTIVE;
            buffer.flip();
            int n = buffer.remaining();
            FileIo.writeFully(active, buffer, filePosition);
            filePosition += n;
            buffer.clear();
            dirty = true;
        }
        if (bufferedSeq > writtenSeq) {
            writtenSeq = bufferedSeq;
        }
    }

    private void force() throws IOException {
        if (dirty && fsync) {
            step = FORCING_ACTIVE;
            Object event = FsyncEvents.begin();
            long started = System.nanoTime();
            active.force(false);
            long took = System.nanoTime() - started;
            Meters m = meters;
            m.latency().record(took);
            if (entriesSinceForce > 0) {
                m.batch().record(entriesSinceForce);
            }
            FsyncEvents.end(event, directoryName, entriesSinceForce, bytesSinceForce);
        }
        entriesSinceForce = 0;
        bytesSinceForce = 0;
        if (createdFile && fsync) {
            step = "forcing directory " + directory + " after creating a segment";
            FileIo.fsyncDirectory(channels, directory);
        }
        dirty = false;
        createdFile = false;
    }

    private void roll(long baseIndex) throws IOException {
        flush();
        force(); // sealed: durable before any record of the next segment can be
        closeActive();
        activePath = SegmentFiles.segmentPath(directory, baseIndex);
        step = "creating segment " + activePath;
        // Forced with the records that follow it, by the force that ends this round, and the directory with it.
        active = SegmentFiles.createSegment(channels, directory, baseIndex);
        activeBase = baseIndex;
        filePosition = SegmentHeader.BYTES;
        dirty = true;
        createdFile = true;
    }

    private void truncate(WriteOp.Truncate t) throws IOException {
        flush();
        force();
        step = "recording the intent to truncate from index " + t.fromIndex();
        TruncationIntent.write(channels, directory, t.fromIndex(), fsync);
        long[] deleted = t.deletedBases();
        for (int i = deleted.length - 1; i >= 0; i--) {
            if (deleted[i] == activeBase) {
                closeActive();
            }
            Path path = SegmentFiles.segmentPath(directory, deleted[i]);
            step = "deleting " + path;
            Files.deleteIfExists(path);
        }
        Path path = SegmentFiles.segmentPath(directory, t.segmentBase());
        step = "truncating " + path + " at offset " + t.position();
        if (active == null || activeBase != t.segmentBase()) {
            closeActive();
            active = channels.open(path, StandardOpenOption.WRITE);
            activeBase = t.segmentBase();
            activePath = path;
        }
        active.truncate(t.position());
        if (fsync) {
            active.force(true);
            FileIo.fsyncDirectory(channels, directory);
        }
        filePosition = t.position();
        dirty = false;
        step = "removing the truncation intent";
        TruncationIntent.clear(channels, directory, fsync);
    }

    /**
     * Same protocol as {@link #truncate}: nothing is deleted before the intent is durable, and nothing new is written
     * before the empty segment is durable and the intent gone. The directory is listed rather than trusting the
     * caller's view so that no file of the old log can survive next to the new one.
     */
    private void reset(long nextIndex) throws IOException {
        flush();
        force();
        step = "recording the intent to reset the log to index " + nextIndex;
        TruncationIntent.writeReset(channels, directory, nextIndex, fsync);
        closeActive();
        List<Path> old = SegmentFiles.listSegments(directory);
        for (int i = old.size() - 1; i >= 0; i--) {
            step = "deleting " + old.get(i) + " to reset the log";
            Files.deleteIfExists(old.get(i));
        }
        activePath = SegmentFiles.segmentPath(directory, nextIndex);
        step = "creating segment " + activePath + " to reset the log";
        active = SegmentFiles.createSegment(channels, directory, nextIndex);
        activeBase = nextIndex;
        filePosition = SegmentHeader.BYTES;
        if (fsync) {
            active.force(true);
            FileIo.fsyncDirectory(channels, directory);
        }
        dirty = false;
        createdFile = false;
        step = "removing the reset intent";
        TruncationIntent.clear(channels, directory, fsync);
    }

    private void purge(long[] bases) throws IOException {
        for (long base : bases) {
            if (base == activeBase) {
                throw new IllegalStateException("internal error: purge of the active segment " + base);
            }
            Path path = SegmentFiles.segmentPath(directory, base);
            step = "deleting purged segment " + path;
            Files.deleteIfExists(path);
        }
        if (fsync) {
            // Deletions reach the disk in order, so a crash never resurrects a segment below a deleted one.
            FileIo.fsyncDirectory(channels, directory);
        }
    }

    private void fail(Exception e) {
        String what = describe(step);
        StorageException se = new StorageException("log storage I/O failed while " + what + ": " + e, e);
        failure = se;
        log.error("Log storage in {} failed while {}; it accepts no more writes (fail-stop)", directory, what, e);
    }

    private String describe(String currentStep) {
        if (currentStep == WRITING_ACTIVE) {
            return "writing " + activePath + " at offset " + filePosition;
        }
        if (currentStep == FORCING_ACTIVE) {
            return "forcing " + activePath + " to disk";
        }
        return currentStep;
    }

    private void closeActive() {
        if (active != null) {
            try {
                active.close();
            } catch (IOException e) {
                log.warn("Closing {} failed", activePath, e);
            }
            active = null;
        }
    }
}
