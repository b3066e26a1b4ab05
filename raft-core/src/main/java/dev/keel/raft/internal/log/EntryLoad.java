package dev.keel.raft.internal.log;

import dev.keel.raft.NodeId;

/**
 * A leader's request to read log entries its storage holds only on disk, for a follower that lags behind: the
 * runtime reads them off the event loop and hands them back to the engine, which sends them if the follower still
 * needs them. At most one load per follower is outstanding.
 *
 * @param peer     the follower the entries are for
 * @param term     the leader's term when it asked; an answer from another term is dropped
 * @param from     the first index to read
 * @param to       one past the last index to read (at most)
 * @param maxBytes stop once the entries' total size would exceed this (always at least one entry)
 */
public record EntryLoad(NodeId peer, long term, long from, long to, long maxBytes) {

    /** Validates the range. */
    public EntryLoad {
        if (from < 1 || to <= from || maxBytes <= 0) {
            throw new IllegalArgumentException("a load needs 1 <= from < to and maxBytes > 0, got [" + from + ", " + to
                    + ") max " + maxBytes);
        }
    }

    @Override
    public String toString() {
        return "load [" + from + ", " + to + ") for " + peer + " in term " + term;
    }
}
