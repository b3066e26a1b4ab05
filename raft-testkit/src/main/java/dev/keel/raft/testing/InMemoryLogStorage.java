package dev.keel.raft.testing;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.spi.LogStorage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link LogStorage} in memory that models durability: every mutation is pending until it is synced, and
 * {@link #crash()} returns what a restarted server would find, that is only the synced mutations.
 *
 * <p>In {@linkplain #autoSync() auto-sync} mode each mutation is durable at once (its future is already complete
 * when the call returns); in manual mode the test or the simulator decides when with {@link #syncNext()} and
 * {@link #syncAll()}. Thread-safe.
 */
public final class InMemoryLogStorage implements LogStorage {

    private final boolean autoSync;
    private final Deque<PendingOp> pending = new ArrayDeque<>();

    // The state callers see.
    private final LogState visible;
    // The state a crash would leave.
    private final LogState durable;

    private StorageException failure;
    private boolean failNextSync;
    private boolean closed;
    private long cachedRecent = Long.MAX_VALUE;
    private long asyncReads;

    private InMemoryLogStorage(boolean autoSync, LogState durable) {
        this.autoSync = autoSync;
        this.durable = durable;
        this.visible = durable.copy();
    }

    /** An empty storage whose mutations are durable at once. */
    public static InMemoryLogStorage autoSync() {
        return new InMemoryLogStorage(true, new LogState());
    }

    /** An empty storage whose mutations stay pending until {@link #syncNext()} or {@link #syncAll()}. */
    public static InMemoryLogStorage manualSync() {
        return new InMemoryLogStorage(false, new LogState());
    }

    /**
     * What a server restarting after a crash would find: only the synced mutations. The new storage has this
     * storage's sync mode; the futures of this storage's pending mutations never complete.
     */
    public synchronized InMemoryLogStorage crash() {
        closed = true;
        pending.clear();
        return new InMemoryLogStorage(autoSync, durable.copy());
    }

    /** Number of mutations not yet durable. */
    public synchronized int pendingCount() {
        return pending.size();
    }

    /** Makes the oldest pending mutation durable and completes its future; false if none was pending. */
    public boolean syncNext() {
        PendingOp op;
        synchronized (this) {
            op = pending.poll();
            if (op == null) {
                return false;
            }
            if (failNextSync) {
                failNextSync = false;
                failure = new StorageException("injected I/O failure");
            }
            if (failure == null) {
                op.applyTo(durable);
            }
        }
        // Complete outside the lock: callbacks may call back into this storage.
        if (failure != null) {
            op.future.completeExceptionally(failure);
        } else {
            op.future.complete(null);
        }
        return true;
    }

    /** Makes every pending mutation durable, in order. */
    public void syncAll() {
        while (syncNext()) {
            // keep going
        }
    }

    /**
     * Makes the next sync fail with a {@link StorageException}; that and every later mutation then fail, as a real
     * disk's would.
     */
    public synchronized void failNextSync() {
        failNextSync = true;
    }

    /**
     * Makes this storage behave like a file-backed log with a cache of the last {@code entries} entries: a range
     * starting before them is "on disk" ({@link #isCached} says no), so a server's leader reads it with
     * {@link #entriesAsync}, which then reads on another thread (the common fork-join pool), as a file log's reader
     * thread would. By default every entry counts as cached and {@code entriesAsync} answers at once.
     *
     * @return this storage
     */
    public synchronized InMemoryLogStorage cacheRecent(long entries) {
        if (entries < 0) {
            throw new IllegalArgumentException("a cache holds at least 0 entries, not " + entries);
        }
        cachedRecent = entries;
        return this;
    }

    /** As a file-backed log's cache would answer; see {@link #cacheRecent(long)}. */
    @Override
    public synchronized boolean isCached(long fromIndex, long toIndex) {
        return fromIndex >= toIndex || fromIndex > visible.lastIndex() - cachedRecent;
    }

    /**
     * Reads the entries on another thread when {@link #cacheRecent} was set (counting them in {@link #asyncReads()}),
     * at once otherwise.
     */
    @Override
    public CompletableFuture<List<LogEntry>> entriesAsync(long fromIndex, long toIndex, long maxBytes) {
        synchronized (this) {
            if (cachedRecent == Long.MAX_VALUE) {
                return LogStorage.super.entriesAsync(fromIndex, toIndex, maxBytes);
            }
            asyncReads++;
        }
        return CompletableFuture.supplyAsync(() -> entries(fromIndex, toIndex, maxBytes));
    }

    /** How many reads {@link #entriesAsync} made on another thread. */
    public synchronized long asyncReads() {
        return asyncReads;
    }

    /** The durable hard state (what a crash would keep). */
    public synchronized HardState durableHardState() {
        return durable.hardState;
    }

    /** The durable log entries (what a crash would keep). */
    public synchronized List<LogEntry> durableEntries() {
        return List.copyOf(durable.entries);
    }

    @Override
    public synchronized HardState hardState() {
        checkOpen();
        return visible.hardState;
    }

    @Override
    public CompletableFuture<Void> saveHardState(HardState state) {
        Objects.requireNonNull(state, "state");
        return mutate(new PendingOp(s -> s.hardState = state));
    }

    @Override
    public synchronized long firstIndex() {
        checkOpen();
        return visible.firstIndex;
    }

    @Override
    public synchronized long lastIndex() {
        checkOpen();
        return visible.lastIndex();
    }

    @Override
    public synchronized long termAt(long index) {
        checkOpen();
        return visible.entry(index).term();
    }

    @Override
    public synchronized List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        checkOpen();
        if (fromIndex < visible.firstIndex || fromIndex > toIndex || toIndex > visible.lastIndex() + 1) {
            throw new IndexOutOfBoundsException("range [" + fromIndex + ", " + toIndex + ") is outside the log ["
                    + visible.firstIndex + ", " + (visible.lastIndex() + 1) + ")");
        }
        List<LogEntry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = fromIndex; i < toIndex; i++) {
            LogEntry e = visible.entry(i);
            bytes += e.sizeInBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public CompletableFuture<Void> append(List<LogEntry> entries) {
        List<LogEntry> batch = List.copyOf(entries);
        synchronized (this) {
            checkOpen();
            if (batch.isEmpty()) {
                throw new IllegalArgumentException("append needs at least one entry");
            }
            long expected = visible.lastIndex() + 1;
            for (LogEntry e : batch) {
                if (e.index() != expected) {
                    throw new IllegalArgumentException("append expected index " + expected + " but got " + e.index());
                }
                expected++;
            }
        }
        return mutate(new PendingOp(s -> s.entries.addAll(batch)));
    }

    @Override
    public CompletableFuture<Void> truncateSuffix(long fromIndex) {
        synchronized (this) {
            checkOpen();
            if (fromIndex < visible.firstIndex || fromIndex > visible.lastIndex() + 1) {
                throw new IndexOutOfBoundsException("cannot truncate from " + fromIndex + ": the log holds ["
                        + visible.firstIndex + ", " + visible.lastIndex() + "]");
            }
        }
        return mutate(new PendingOp(s -> s.truncateFrom(fromIndex)));
    }

    @Override
    public CompletableFuture<Void> reset(long nextIndex) {
        if (nextIndex < 1) {
            throw new IllegalArgumentException("nextIndex must be >= 1, was " + nextIndex);
        }
        return mutate(new PendingOp(s -> s.resetTo(nextIndex)));
    }

    @Override
    public synchronized void purgePrefix(long upToIndex) {
        checkOpen();
        // Only the visible state: a crash may bring purged entries back, which the contract allows.
        visible.purgeUpTo(Math.min(upToIndex, visible.lastIndex()));
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private CompletableFuture<Void> mutate(PendingOp op) {
        synchronized (this) {
            checkOpen();
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            op.applyTo(visible);
            pending.add(op);
        }
        if (autoSync) {
            syncAll();
        }
        return op.future;
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("storage is closed");
        }
    }

    private static final class PendingOp {
        final java.util.function.Consumer<LogState> change;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        PendingOp(java.util.function.Consumer<LogState> change) {
            this.change = change;
        }

        void applyTo(LogState state) {
            change.accept(state);
        }
    }

    /** A log (with a purged prefix) and a hard state. */
    private static final class LogState {
        final List<LogEntry> entries;
        long firstIndex;
        HardState hardState;

        LogState() {
            this(new ArrayList<>(), 1, HardState.INITIAL);
        }

        LogState(List<LogEntry> entries, long firstIndex, HardState hardState) {
            this.entries = entries;
            this.firstIndex = firstIndex;
            this.hardState = hardState;
        }

        LogState copy() {
            return new LogState(new ArrayList<>(entries), firstIndex, hardState);
        }

        long lastIndex() {
            return firstIndex + entries.size() - 1;
        }

        LogEntry entry(long index) {
            if (index < firstIndex || index > lastIndex()) {
                throw new IndexOutOfBoundsException("index " + index + " is outside the log [" + firstIndex + ", "
                        + lastIndex() + "]");
            }
            return entries.get((int) (index - firstIndex));
        }

        void truncateFrom(long index) {
            int keep = (int) Math.max(0, index - firstIndex);
            if (keep < entries.size()) {
                entries.subList(keep, entries.size()).clear();
            }
        }

        void resetTo(long nextIndex) {
            entries.clear();
            firstIndex = nextIndex;
        }

        void purgeUpTo(long index) {
            int drop = (int) Math.min(entries.size(), Math.max(0, index - firstIndex + 1));
            if (drop > 0) {
                entries.subList(0, drop).clear();
                firstIndex += drop;
            }
        }
    }
}
