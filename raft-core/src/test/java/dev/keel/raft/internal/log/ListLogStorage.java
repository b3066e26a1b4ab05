package dev.keel.raft.internal.log;

import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.spi.LogStorage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The smallest {@link LogStorage} that keeps the contract: a list of entries after a purged prefix, every mutation
 * durable when it returns. raft-core's tests cannot use raft-testkit's storages (raft-testkit depends on raft-core),
 * so the {@link RaftLog} tests (and the runtime tests' EngineFixture) use this one; a "restart" is a new {@code RaftLog} over the same instance.
 */
public class ListLogStorage implements LogStorage {
    private final List<LogEntry> entries = new ArrayList<>();
    private long firstIndex = 1;
    private HardState hardState = HardState.INITIAL;

    /** A storage already holding {@code entries}, which must start at index 1. */
    static ListLogStorage holding(List<LogEntry> entries) {
        ListLogStorage s = new ListLogStorage();
        if (!entries.isEmpty()) {
            s.append(entries);
        }
        return s;
    }

    /**
     * Writes what the log hands over as the runtime does (reset or truncate, then append) and reports it durable.
     */
    void persist(RaftLog log) {
        long from = log.unstableOffset();
        boolean reset = log.resetPending();
        List<LogEntry> tail = log.takeUnstable();
        if (reset) {
            reset(from);
        } else if (lastIndex() >= from) {
            truncateSuffix(from);
        }
        if (!tail.isEmpty()) {
            append(tail);
            LogEntry last = tail.get(tail.size() - 1);
            log.onPersisted(last.index(), last.term());
        }
    }

    /** Every entry held, in order. */
    List<LogEntry> held() {
        return List.copyOf(entries);
    }

    @Override
    public HardState hardState() {
        return hardState;
    }

    @Override
    public CompletableFuture<Void> saveHardState(HardState state) {
        hardState = state;
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public long firstIndex() {
        return firstIndex;
    }

    @Override
    public long lastIndex() {
        return firstIndex + entries.size() - 1;
    }

    @Override
    public long termAt(long index) {
        return entry(index).term();
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        if (fromIndex < firstIndex || fromIndex > toIndex || toIndex > lastIndex() + 1) {
            throw new IndexOutOfBoundsException("[" + fromIndex + ", " + toIndex + ") outside [" + firstIndex + ", "
                    + lastIndex() + "]");
        }
        List<LogEntry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = fromIndex; i < toIndex; i++) {
            LogEntry e = entry(i);
            bytes += e.sizeInBytes();
            if (!out.isEmpty() && bytes > maxBytes) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public CompletableFuture<Void> append(List<LogEntry> batch) {
        long expected = lastIndex() + 1;
        for (LogEntry e : batch) {
            if (e.index() != expected++) {
                throw new IllegalArgumentException("append of " + e + " does not follow " + lastIndex());
            }
        }
        entries.addAll(batch);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> truncateSuffix(long fromIndex) {
        if (fromIndex < firstIndex || fromIndex > lastIndex() + 1) {
            throw new IndexOutOfBoundsException("cannot truncate from " + fromIndex);
        }
        entries.subList((int) (fromIndex - firstIndex), entries.size()).clear();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> reset(long nextIndex) {
        entries.clear();
        firstIndex = nextIndex;
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void purgePrefix(long upToIndex) {
        int drop = (int) Math.min(entries.size(), Math.max(0, upToIndex - firstIndex + 1));
        entries.subList(0, drop).clear();
        firstIndex += drop;
    }

    @Override
    public void close() {
    }

    private LogEntry entry(long index) {
        if (index < firstIndex || index > lastIndex()) {
            throw new IndexOutOfBoundsException("no entry " + index + " in [" + firstIndex + ", " + lastIndex() + "]");
        }
        return entries.get((int) (index - firstIndex));
    }
}
