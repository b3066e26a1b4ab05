package dev.keel.raft.testing.sim;

import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.spi.LogStorage;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;

/**
 * Puts a storage under the simulation's control: each mutation becomes durable (its future completes) at a virtual
 * time the simulation picks, in call order, like a disk with a random fsync latency. Also reports what became
 * durable, for the invariant checks.
 *
 * <p>Like a file-backed log, it keeps only the most recent entries "in memory": a range starting more than
 * {@link #CACHED_ENTRIES} entries before the end is "on disk", so a leader sending it to a lagging follower reads it
 * asynchronously; the read completes after a simulated disk latency, reading the log as it is then (so entries
 * compacted meanwhile make it fail, as they would on a real disk).
 */
final class SimLogStorage implements LogStorage {
    /** How many of the newest entries count as cached. */
    static final long CACHED_ENTRIES = 16;

    private final LogStorage delegate;
    private final SimDisk disk;
    private final SimScheduler sim;
    private final SimNodeScheduler owner;
    private final LongSupplier fsyncLatency;
    private final Listener listener;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private long syncTail;

    /** Told when mutations become durable. */
    interface Listener {
        /**
         * Entries are about to be appended after an entry of {@code prevTerm} (0 at the start of the log, -1 when the
         * previous entry is only in a snapshot).
         */
        void appending(List<LogEntry> entries, long prevTerm);

        void hardStateDurable(HardState state);

        void entriesDurable(List<LogEntry> entries);

        /** An asynchronous read of {@code count} entries completed ({@code count} is -1 if it failed). */
        default void entriesLoaded(int count) {
        }
    }

    private record Pending(CompletableFuture<Void> delegateFuture, CompletableFuture<Void> future,
                           HardState hardState, List<LogEntry> entries) {
    }

    SimLogStorage(LogStorage delegate, SimDisk disk, SimScheduler sim, SimNodeScheduler owner,
                  LongSupplier fsyncLatency, Listener listener) {
        this.delegate = delegate;
        this.disk = disk;
        this.sim = sim;
        this.owner = owner;
        this.fsyncLatency = fsyncLatency;
        this.listener = listener;
    }

    LogStorage delegate() {
        return delegate;
    }

    private CompletableFuture<Void> track(CompletableFuture<Void> delegateFuture, HardState hs, List<LogEntry> entries) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        pending.add(new Pending(delegateFuture, f, hs, entries));
        syncTail = Math.max(syncTail, sim.now() + fsyncLatency.getAsLong());
        sim.at(syncTail, owner, "fsync", this::syncOne);
        return f;
    }

    private void syncOne() {
        Pending p = pending.poll();
        if (p == null) {
            return;
        }
        disk.syncOne(delegate);
        try {
            p.delegateFuture().join();
        } catch (CompletionException e) {
            p.future().completeExceptionally(e.getCause());
            return;
        }
        if (p.hardState() != null) {
            listener.hardStateDurable(p.hardState());
        }
        if (p.entries() != null) {
            listener.entriesDurable(p.entries());
        }
        p.future().complete(null);
    }

    @Override
    public HardState hardState() {
        return delegate.hardState();
    }

    @Override
    public CompletableFuture<Void> saveHardState(HardState state) {
        return track(delegate.saveHardState(state), state, null);
    }

    @Override
    public long firstIndex() {
        return delegate.firstIndex();
    }

    @Override
    public long lastIndex() {
        return delegate.lastIndex();
    }

    @Override
    public long termAt(long index) {
        return delegate.termAt(index);
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        return delegate.entries(fromIndex, toIndex, maxBytes);
    }

    @Override
    public boolean isCached(long fromIndex, long toIndex) {
        return fromIndex >= toIndex || fromIndex > delegate.lastIndex() - CACHED_ENTRIES;
    }

    @Override
    public CompletableFuture<List<LogEntry>> entriesAsync(long fromIndex, long toIndex, long maxBytes) {
        CompletableFuture<List<LogEntry>> f = new CompletableFuture<>();
        sim.after(fsyncLatency.getAsLong(), owner, "load", () -> {
            List<LogEntry> read;
            try {
                read = delegate.entries(fromIndex, toIndex, maxBytes);
            } catch (RuntimeException e) {
                listener.entriesLoaded(-1);
                f.completeExceptionally(e);
                return;
            }
            listener.entriesLoaded(read.size());
            f.complete(read);
        });
        return f;
    }

    @Override
    public CompletableFuture<Void> append(List<LogEntry> entries) {
        long prevIndex = entries.get(0).index() - 1;
        long prevTerm = prevIndex == 0 ? 0 : prevIndex >= delegate.firstIndex() && prevIndex <= delegate.lastIndex()
                ? delegate.termAt(prevIndex) : -1;
        listener.appending(entries, prevTerm);
        return track(delegate.append(entries), null, List.copyOf(entries));
    }

    @Override
    public CompletableFuture<Void> truncateSuffix(long fromIndex) {
        return track(delegate.truncateSuffix(fromIndex), null, null);
    }

    @Override
    public CompletableFuture<Void> reset(long nextIndex) {
        return track(delegate.reset(nextIndex), null, null);
    }

    @Override
    public void purgePrefix(long upToIndex) {
        delegate.purgePrefix(upToIndex);
    }

    @Override
    public void close() {
        // A crash or a stop: the simulation decides what survives (SimDisk.crash); nothing to do here.
    }
}
