package dev.keel.raft.log;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of the replicated log (Raft §5.3): its position, the term in which a leader created it, and its data.
 *
 * <p>The data array is not copied, for speed: treat it as immutable once the entry is built.
 *
 * @param index position in the log, starting at 1
 * @param term  term of the leader that created the entry, at least 1
 * @param type  what the entry carries
 * @param data  the command bytes for {@link EntryType#COMMAND}; empty for {@link EntryType#NO_OP}
 */
public record LogEntry(long index, long term, EntryType type, byte[] data) {
    private static final byte[] EMPTY = new byte[0];

    /** Fixed per-entry overhead used when sizing batches: index, term, type and length. */
    public static final int OVERHEAD_BYTES = 24;

    /**
     * @throws IllegalArgumentException if index or term is below 1
     */
    public LogEntry {
        if (index < 1) {
            throw new IllegalArgumentException("log entry index must be >= 1, was " + index);
        }
        if (term < 1) {
            throw new IllegalArgumentException("log entry term must be >= 1, was " + term);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
    }

    /** A command entry. */
    public static LogEntry command(long index, long term, byte[] command) {
        return new LogEntry(index, term, EntryType.COMMAND, command);
    }

    /** The no-op entry a new leader appends at the start of its term (Raft §8). */
    public static LogEntry noOp(long index, long term) {
        return new LogEntry(index, term, EntryType.NO_OP, EMPTY);
    }

    /** A configuration entry (thesis §4.1). */
    public static LogEntry configuration(long index, long term, dev.keel.raft.Membership membership) {
        return new LogEntry(index, term, EntryType.CONFIGURATION, membership.encode());
    }

    /** Size used for batching limits: payload plus a fixed overhead. */
    public long sizeInBytes() {
        return data.length + OVERHEAD_BYTES;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e
                && index == e.index && term == e.term && type == e.type && Arrays.equals(data, e.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, type) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "LogEntry[" + index + "@" + term + " " + type + " " + data.length + "B]";
    }
}
