package dev.keel.raft.internal.log;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.LogEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * Which configuration is in effect: the latest one in the log, committed or not (thesis §4.1), falling back to the
 * one recorded with the snapshot, or the bootstrap configuration. Truncating a configuration entry away reverts to
 * the one before it.
 */
public final class ConfigTracker {

    /**
     * A configuration and the index of the entry that introduced it (0 for the bootstrap configuration).
     *
     * @param index      the entry's index
     * @param membership the configuration, or {@code null} when none is known (a server joining an existing cluster)
     */
    public record Config(long index, Membership membership) {
    }

    private Config base;
    private final List<Config> inLog = new ArrayList<>();

    ConfigTracker(Config base) {
        this.base = base;
    }

    Config current() {
        return inLog.isEmpty() ? base : inLog.get(inLog.size() - 1);
    }

    /**
     * Whether {@code id} votes in a configuration that may still be the one that decides: the newest configuration
     * known to be committed (at or below {@code commitIndex}) or any later one. A server left out of its newest,
     * uncommitted configuration may be needed to elect the leader that commits it (thesis §4.2.2).
     */
    boolean votesInUnsettled(NodeId id, long commitIndex) {
        for (int i = inLog.size() - 1; i >= 0; i--) {
            Config c = inLog.get(i);
            if (c.membership() != null && c.membership().isVoter(id)) {
                return true;
            }
            if (c.index() <= commitIndex) {
                return false;
            }
        }
        return base.membership() != null && base.membership().isVoter(id);
    }

    /** Records the configuration entries among newly appended entries. */
    void appended(List<LogEntry> entries) {
        for (LogEntry e : entries) {
            if (e.type() == EntryType.CONFIGURATION) {
                inLog.add(new Config(e.index(), Membership.decode(e.data())));
            }
        }
    }

    void appended(LogEntry e) {
        if (e.type() == EntryType.CONFIGURATION) {
            inLog.add(new Config(e.index(), Membership.decode(e.data())));
        }
    }

    /** Entries from {@code index} on were removed. */
    void truncatedFrom(long index) {
        inLog.removeIf(c -> c.index() >= index);
    }

    /** The log was replaced by a snapshot whose configuration is {@code snapshotConfig}. */
    void reset(Config snapshotConfig) {
        base = snapshotConfig;
        inLog.clear();
    }
}
