package dev.keel.raft.spi;

import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The durable Raft log and hard state of one server.
 *
 * <h2>Threading</h2>
 * A {@code RaftServer} calls every method from its single event-loop thread, so implementations need not make the
 * methods themselves thread-safe; futures may be completed from any thread (typically an I/O thread). The one
 * exception is the work behind {@link #entriesAsync}, which a file-backed storage runs on a thread of its own while
 * the event loop goes on calling the other methods: that read must be safe against them.
 *
 * <h2>Visibility and durability</h2>
 * A mutation ({@link #append}, {@link #truncateSuffix}, {@link #reset}, {@link #saveHardState}) is visible to the read methods as
 * soon as the call returns, and reaches the disk later. Mutations become durable in the order they were called:
 * when the future of one completes, it and every mutation called before it are durable. A crash loses at most the
 * mutations whose futures had not completed, and always a suffix of them: recovery yields the state after some
 * prefix of the calls, never a mix.
 *
 * <h2>Failures</h2>
 * An I/O error completes the affected future, and every later one, exceptionally with a
 * {@link dev.keel.raft.exception.StorageException}; the storage then stays failed. Calls on a failed or closed
 * storage may throw {@code StorageException} directly. The server treats any of these as fatal (fail-stop).
 *
 * <h2>Indexes</h2>
 * The log holds the consecutive entries {@code firstIndex() .. lastIndex()}. An empty, never-used log has
 * {@code firstIndex() == 1} and {@code lastIndex() == 0}. After {@link #purgePrefix} the first index moves up;
 * the last index never moves below the purge point.
 */
public interface LogStorage extends AutoCloseable {

    /** The hard state as last saved (or as recovered at open); {@link HardState#INITIAL} if never saved. */
    HardState hardState();

    /**
     * Saves the hard state, replacing the previous one atomically: a crash leaves either the old or the new state.
     *
     * @return a future completing once this and every earlier mutation are durable
     */
    CompletableFuture<Void> saveHardState(HardState state);

    /** Index of the first entry held; {@code lastIndex() + 1} when the log holds no entries. */
    long firstIndex();

    /** Index of the last entry held, or of the last entry purged if none is held; 0 for a new log. */
    long lastIndex();

    /**
     * The term of the entry at {@code index}.
     *
     * @throws IndexOutOfBoundsException unless {@code firstIndex() <= index <= lastIndex()}
     */
    long termAt(long index);

    /**
     * Entries from {@code fromIndex} (inclusive) to {@code toIndex} (exclusive), stopping early once their total
     * {@link LogEntry#sizeInBytes()} would exceed {@code maxBytes}; always at least one entry if the range is not
     * empty.
     *
     * @throws IndexOutOfBoundsException unless {@code firstIndex() <= fromIndex <= toIndex <= lastIndex() + 1}
     */
    List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes);

    /**
     * Whether {@link #entries(long, long, long) entries(fromIndex, toIndex, ..)} can be served from memory, without
     * reading a file. The server's event loop asks before it reads entries for a follower: when the answer is no, it
     * reads them with {@link #entriesAsync} instead, so that no disk read blocks it. Cheap and non-blocking; called
     * from the event loop. The default says yes (every entry in memory), which suits in-memory implementations.
     *
     * @return {@code true} when no disk read is needed (also for an empty or invalid range, which {@code entries}
     *         answers or rejects at once)
     */
    default boolean isCached(long fromIndex, long toIndex) {
        return true;
    }

    /**
     * The same entries as {@link #entries(long, long, long)}, read without blocking the caller: a file-backed
     * storage reads them on a thread of its own and completes the future there. The range is checked when the read
     * runs, against the log as it is then: if the entries have meanwhile been purged (or truncated away), the
     * future fails with an {@link IndexOutOfBoundsException}; an I/O error or corruption fails it with a
     * {@link dev.keel.raft.exception.StorageException} (fatal, as for a write). The default reads at once, on the
     * caller's thread, which is right only for a storage whose {@link #isCached} is always true.
     *
     * @return a future with the entries, at least one if the range is not empty
     */
    default CompletableFuture<List<LogEntry>> entriesAsync(long fromIndex, long toIndex, long maxBytes) {
        try {
            return CompletableFuture.completedFuture(entries(fromIndex, toIndex, maxBytes));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Appends consecutive entries to the end of the log.
     *
     * @param entries entries whose first index is {@code lastIndex() + 1}
     * @return a future completing once these entries and every earlier mutation are durable
     * @throws IllegalArgumentException if the entries are empty, not consecutive, or do not start at
     *                                  {@code lastIndex() + 1}
     */
    CompletableFuture<Void> append(List<LogEntry> entries);

    /**
     * Removes the entries from {@code fromIndex} to the end (conflict repair, Raft §5.3). Crash-safe: recovery
     * yields either the log before the call or the log after it, never stale entries past {@code fromIndex}
     * mixed with newer ones.
     *
     * @param fromIndex first index to remove, with {@code firstIndex() <= fromIndex <= lastIndex() + 1}
     * @return a future completing once the truncation and every earlier mutation are durable
     */
    CompletableFuture<Void> truncateSuffix(long fromIndex);

    /**
     * Discards every entry: the log becomes empty and continues at {@code nextIndex} ({@code firstIndex() ==
     * nextIndex}, {@code lastIndex() == nextIndex - 1}). Used after installing a snapshot that ends at
     * {@code nextIndex - 1}. Crash-safe: recovery yields the log before the call or the empty one.
     *
     * @param nextIndex the index the next appended entry will have, at least 1
     * @return a future completing once the reset and every earlier mutation are durable
     */
    CompletableFuture<Void> reset(long nextIndex);

    /**
     * Allows the storage to drop entries up to and including {@code upToIndex}, which the caller guarantees are
     * covered by a durable snapshot. Implementations may keep some of them (e.g. drop whole segments only), so
     * {@link #firstIndex()} tells what remains.
     */
    void purgePrefix(long upToIndex);

    /**
     * Releases files and threads. Mutations not yet durable may be lost, exactly as in a crash. Idempotent.
     */
    @Override
    void close();

    /**
     * Called once by the server before it starts, with the registry its metrics go to (every meter tagged with the
     * server's id): a storage that measures itself (fsync latency and batch sizes, see
     * {@link dev.keel.raft.metrics.KeelMetrics#FSYNC_LATENCY}) creates its meters here. The default measures nothing.
     */
    default void bindMetrics(dev.keel.raft.metrics.MetricsRegistry metrics) {
    }
}
