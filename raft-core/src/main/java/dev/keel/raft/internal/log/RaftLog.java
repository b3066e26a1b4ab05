package dev.keel.raft.internal.log;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.LogStorage;

import java.util.ArrayList;
import java.util.List;

/**
 * The engine's view of the log: what the storage holds, overlaid with the entries the engine has appended or
 * replaced since the last {@link Ready} (the "unstable" tail, not yet handed to storage). Also the commit index
 * and how far the log is known to be durable.
 *
 * <p>The storage is only read here; the runtime writes the unstable tail to it when it takes the {@link Ready}.
 *
 * <p>With snapshots (Raft §7), the log logically starts after the latest snapshot: entries up to
 * {@link #snapshotIndex()} are represented by the snapshot; the storage may still hold some of them (kept for
 * followers that are only slightly behind), and {@link #firstIndex()} says which.
 */
public final class RaftLog {
    private final LogStorage storage;
    // Entries from unstableOffset onwards not yet handed to storage; they shadow storage entries at the same indexes.
    private final ArrayList<LogEntry> unstable = new ArrayList<>();
    private long unstableOffset;
    private long commitIndex;
    private long durableIndex;
    private long applyDispatched;
    private SnapshotMetadata snapshot;
    // Set when the storage must be emptied and restarted after the snapshot (an installed snapshot the log did not
    // contain); the next Ready tells the runtime.
    private boolean resetPending;
    private final ConfigTracker configs;

    /**
     * @param storage   the log as recovered
     * @param snapshot  the newest snapshot, or {@code null}
     * @param bootstrap the configuration to start from when neither the snapshot nor the log has one, or
     *                  {@code null} for a server joining an existing cluster (it learns the configuration from the
     *                  leader)
     * @throws IllegalStateException if the log does not reach back to the snapshot (or to index 1 without one):
     *                               entries would be missing
     */
    public RaftLog(LogStorage storage, SnapshotMetadata snapshot, Membership bootstrap) {
        this.storage = storage;
        this.snapshot = snapshot;
        long snapshotIndex = snapshot == null ? 0 : snapshot.index();
        long first = storage.firstIndex();
        long last = storage.lastIndex();
        if (first > snapshotIndex + 1) {
            throw new IllegalStateException("the log starts at index " + first + " but "
                    + (snapshot == null ? "there is no snapshot" : "the newest snapshot ends at " + snapshotIndex)
                    + ": entries " + (snapshotIndex + 1) + ".." + (first - 1) + " are missing;"
                    + " restore the snapshot files or replace this node");
        }
        // A crash between installing a leader's snapshot and resetting the log leaves a log that does not continue
        // the snapshot: it is replaced, exactly as the interrupted install would have done.
        resetPending = snapshot != null && (last < snapshotIndex
                || (snapshotIndex >= first && storage.termAt(snapshotIndex) != snapshot.term()));
        this.unstableOffset = resetPending ? snapshotIndex + 1 : last + 1;
        // Whatever storage returned at open survived a restart: it is durable.
        this.durableIndex = unstableOffset - 1;
        this.applyDispatched = snapshotIndex;
        this.commitIndex = snapshotIndex;
        this.configs = new ConfigTracker(snapshot != null
                ? new ConfigTracker.Config(snapshot.membershipIndex(), snapshot.membership())
                : new ConfigTracker.Config(0, bootstrap));
        if (!resetPending) {
            scanConfigurations(Math.max(first, snapshotIndex + 1), last);
        }
    }

    /** Finds the configuration entries of the recovered log, reading it in batches. */
    private void scanConfigurations(long from, long to) {
        long next = from;
        while (next <= to) {
            List<LogEntry> batch = storage.entries(next, to + 1, 4L << 20);
            configs.appended(batch);
            next = batch.get(batch.size() - 1).index() + 1;
        }
    }

    /** The configuration in effect (the latest in the log) and the index of its entry. */
    public ConfigTracker.Config config() {
        return configs.current();
    }

    /**
     * Whether {@code id} votes in its newest configuration or in an earlier one that this log does not yet know to be
     * superseded by a committed one; such a server must still be able to campaign (thesis §4.2.2).
     */
    public boolean votesInUnsettledConfig(NodeId id) {
        return configs.votesInUnsettled(id, commitIndex());
    }

    /** Index of the first entry held in the log; entries before it are only in the snapshot. */
    public long firstIndex() {
        return resetPending ? unstableOffset : storage.firstIndex();
    }

    /** The newest snapshot, or {@code null}. */
    public SnapshotMetadata snapshot() {
        return snapshot;
    }

    /** Index of the last entry covered by the newest snapshot; 0 without one. */
    public long snapshotIndex() {
        return snapshot == null ? 0 : snapshot.index();
    }

    public long lastIndex() {
        return unstableOffset + unstable.size() - 1;
    }

    public long lastTerm() {
        return term(lastIndex());
    }

    public long commitIndex() {
        return commitIndex;
    }

    /** Highest index known durable in this server's storage, with the log up to it matching the current log. */
    public long durableIndex() {
        return durableIndex;
    }

    /**
     * The term of the entry at {@code index}; 0 for index 0.
     *
     * @throws IllegalStateException if the index is outside the log
     */
    public long term(long index) {
        long t = termIfKnown(index);
        if (t < 0) {
            throw new IllegalStateException("no entry at index " + index + "; log holds [" + firstIndex() + ", "
                    + lastIndex() + "] after snapshot " + snapshotIndex());
        }
        return t;
    }

    /** The term of the entry at {@code index}, or -1 if the log no longer (or not yet) holds it. */
    public long termIfKnown(long index) {
        if (index == 0) {
            return 0;
        }
        if (index >= unstableOffset) {
            long i = index - unstableOffset;
            return i < unstable.size() ? unstable.get((int) i).term() : -1;
        }
        if (!resetPending && index >= storage.firstIndex() && index <= storage.lastIndex()) {
            return storage.termAt(index);
        }
        return index == snapshotIndex() ? snapshot.term() : -1;
    }

    /** Whether the log holds an entry at {@code index} with {@code term} (index 0 matches term 0). */
    public boolean matches(long index, long term) {
        if (index > lastIndex()) {
            return false;
        }
        return termIfKnown(index) == term;
    }

    /** Whether a candidate's log is at least as up-to-date as this one (Raft §5.4.1). */
    public boolean isUpToDate(long candidateLastIndex, long candidateLastTerm) {
        long lastTerm = lastTerm();
        return candidateLastTerm > lastTerm || (candidateLastTerm == lastTerm && candidateLastIndex >= lastIndex());
    }

    /**
     * Entries in {@code [from, to)}, up to about {@code maxBytes} (always at least one if the range is not empty).
     */
    public List<LogEntry> entries(long from, long to, long maxBytes) {
        if (from > to || from < firstIndex() || to > lastIndex() + 1) {
            throw new IllegalStateException("range [" + from + ", " + to + ") is outside the log [" + firstIndex()
                    + ", " + lastIndex() + "]");
        }
        if (from == to) {
            return List.of();
        }
        List<LogEntry> out = new ArrayList<>();
        long budget = maxBytes;
        if (from < unstableOffset && !resetPending) {
            List<LogEntry> stored = storage.entries(from, Math.min(to, unstableOffset), maxBytes);
            for (LogEntry e : stored) {
                out.add(e);
                budget -= e.sizeInBytes();
            }
            if (out.get(out.size() - 1).index() < Math.min(to, unstableOffset) - 1 || to <= unstableOffset) {
                return out;
            }
        }
        for (long i = Math.max(from, unstableOffset); i < to; i++) {
            LogEntry e = unstable.get((int) (i - unstableOffset));
            if (!out.isEmpty() && e.sizeInBytes() > budget) {
                break;
            }
            out.add(e);
            budget -= e.sizeInBytes();
        }
        return out;
    }

    /**
     * Whether {@link #entries} can serve {@code [from, to)} without reading a file: the part still in the unstable
     * tail is in memory; the part in storage is if the storage says so.
     */
    public boolean isCached(long from, long to) {
        return from >= unstableOffset || resetPending || from >= to
                || storage.isCached(from, Math.min(to, unstableOffset));
    }

    /** Appends entries at the end (the leader's own proposals). */
    public void append(LogEntry entry) {
        if (entry.index() != lastIndex() + 1) {
            throw new IllegalStateException("append of " + entry + " does not follow the last index " + lastIndex());
        }
        unstable.add(entry);
        configs.appended(entry);
    }

    /**
     * The follower side of AppendEntries (Raft §5.3): if the log holds {@code prevIndex} with {@code prevTerm},
     * appends the entries, first deleting any existing entry that conflicts with one of them and everything that
     * follows it. Entries already present with the same term are kept as they are, so a delayed or duplicated
     * message can never truncate the log.
     *
     * @return the index of the last entry covered by the request, or -1 if the consistency check failed
     */
    public long appendAsFollower(long prevIndex, long prevTerm, List<LogEntry> entries) {
        if (!matches(prevIndex, prevTerm)) {
            return -1;
        }
        long last = lastIndex();
        for (int i = 0; i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            if (e.index() > last) {
                appendFrom(entries.subList(i, entries.size()));
                break;
            }
            if (term(e.index()) != e.term()) {
                if (e.index() <= commitIndex) {
                    throw new IllegalStateException("conflicting entry " + e + " at or below the commit index "
                            + commitIndex + " (local term " + term(e.index()) + "): a committed entry would be lost");
                }
                replaceFrom(entries.subList(i, entries.size()));
                break;
            }
        }
        return prevIndex + entries.size();
    }

    private void appendFrom(List<LogEntry> tail) {
        unstable.addAll(tail);
        configs.appended(tail);
    }

    private void replaceFrom(List<LogEntry> tail) {
        long from = tail.get(0).index();
        if (from >= unstableOffset) {
            unstable.subList((int) (from - unstableOffset), unstable.size()).clear();
        } else {
            unstable.clear();
            unstableOffset = from;
        }
        unstable.addAll(tail);
        durableIndex = Math.min(durableIndex, from - 1);
        configs.truncatedFrom(from);
        configs.appended(tail);
    }

    /**
     * The storage reported entries up to {@code index} in {@code term} durable. Ignored if the log no longer holds
     * that entry (it was replaced after the write was issued).
     *
     * @return whether the durable index moved
     */
    public boolean onPersisted(long index, long term) {
        if (index <= durableIndex || index > lastIndex() || index < firstIndex() || term(index) != term) {
            return false;
        }
        durableIndex = index;
        return true;
    }

    /**
     * Raises the commit index.
     *
     * @throws IllegalStateException if beyond the last index
     */
    public boolean commitTo(long index) {
        if (index <= commitIndex) {
            return false;
        }
        if (index > lastIndex()) {
            throw new IllegalStateException("commit index " + index + " beyond the last index " + lastIndex());
        }
        commitIndex = index;
        return true;
    }

    /** Whether {@link #takeUnstable()} has anything. */
    public boolean hasUnstable() {
        return !unstable.isEmpty() || unstableOffset <= storage.lastIndex() || resetPending;
    }

    /**
     * Whether the storage must be emptied before the next entries are written (an installed snapshot); cleared by
     * {@link #takeUnstable()}.
     */
    public boolean resetPending() {
        return resetPending;
    }

    /**
     * A snapshot was written locally, covering entries up to {@code taken.index()}: older entries may now be purged.
     */
    public void onSnapshotTaken(SnapshotMetadata taken) {
        if (taken.index() > commitIndex) {
            throw new IllegalStateException("snapshot " + taken + " covers uncommitted entries (commit index "
                    + commitIndex + ")");
        }
        if (snapshot == null || taken.index() > snapshot.index()) {
            snapshot = taken;
        }
    }

    /**
     * Installs a snapshot received from the leader (Raft §7): if this log holds the snapshot's last entry, the
     * entries after it are kept and the snapshot only moves the commit index; otherwise the whole log is replaced by
     * the snapshot.
     *
     * @return true if the state machine must be restored from the snapshot; false if the log already covered it
     */
    public boolean installSnapshot(SnapshotMetadata installed) {
        if (installed.index() <= commitIndex) {
            return false;
        }
        if (matches(installed.index(), installed.term())) {
            commitTo(installed.index());
            return false;
        }
        snapshot = installed;
        configs.reset(new ConfigTracker.Config(installed.membershipIndex(), installed.membership()));
        unstable.clear();
        unstableOffset = installed.index() + 1;
        resetPending = true;
        durableIndex = installed.index();
        commitIndex = installed.index();
        applyDispatched = installed.index();
        return true;
    }

    /** Index from which the storage must be rewritten by the next Ready. */
    public long unstableOffset() {
        return unstableOffset;
    }

    /** Hands the unstable tail over: the caller writes it to storage before the engine runs again. */
    public List<LogEntry> takeUnstable() {
        List<LogEntry> out = List.copyOf(unstable);
        unstableOffset += unstable.size();
        unstable.clear();
        resetPending = false;
        return out;
    }

    /** Whether committed entries wait to be applied. */
    public boolean hasEntriesToApply() {
        return commitIndex > applyDispatched;
    }

    /** Committed entries not yet handed to the state machine, up to about {@code maxBytes}; marks them handed. */
    public List<LogEntry> takeEntriesToApply(long maxBytes) {
        if (!hasEntriesToApply()) {
            return List.of();
        }
        List<LogEntry> out = entries(applyDispatched + 1, commitIndex + 1, maxBytes);
        applyDispatched = out.get(out.size() - 1).index();
        return out;
    }

    /** Highest index handed to the state machine. */
    public long applyDispatched() {
        return applyDispatched;
    }

    /**
     * For a rejection hint: the first index, not below {@code floor}, of the run of entries with the same term as
     * the entry at {@code index}.
     */
    public long firstIndexOfTermAt(long index, long floor) {
        long term = term(index);
        long i = index;
        long min = Math.max(floor, firstIndex());
        while (i > min && termIfKnown(i - 1) == term) {
            i--;
        }
        return i;
    }

    /**
     * For the leader: the last index, at or below {@code from}, holding an entry of {@code term}; -1 if none. The
     * snapshot's last entry counts: its term is known although the entry is compacted.
     */
    public long lastIndexOfTerm(long term, long from) {
        long i = Math.min(from, lastIndex());
        long min = Math.min(firstIndex(), Math.max(1, snapshotIndex()));
        while (i >= min) {
            long t = termIfKnown(i);
            if (t == term) {
                return i;
            }
            if (t < term) {
                return -1;
            }
            i--;
        }
        return -1;
    }

    @Override
    public String toString() {
        return "RaftLog[first=" + firstIndex() + " last=" + lastIndex() + " snapshot=" + snapshotIndex() + " commit="
                + commitIndex + " durable=" + durableIndex + " applied-dispatched=" + applyDispatched
                + " unstable-from=" + unstableOffset + (resetPending ? " reset-pending" : "") + "]";
    }
}
