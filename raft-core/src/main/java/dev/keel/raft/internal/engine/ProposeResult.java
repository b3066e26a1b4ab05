package dev.keel.raft.internal.engine;

import dev.keel.raft.NodeId;

/**
 * What became of a proposal: appended at an index, or refused.
 *
 * @param outcome what happened
 * @param index   the entry's index, when appended
 * @param term    the entry's term, when appended
 * @param leader  the known leader, when refused as not leader
 */
public record ProposeResult(Outcome outcome, long index, long term, NodeId leader) {

    /** The kinds of outcome. */
    public enum Outcome {
        APPENDED, NOT_LEADER, BUSY
    }

    static ProposeResult appended(long index, long term) {
        return new ProposeResult(Outcome.APPENDED, index, term, null);
    }

    static ProposeResult notLeader(NodeId leader) {
        return new ProposeResult(Outcome.NOT_LEADER, 0, 0, leader);
    }

    static ProposeResult busy() {
        return new ProposeResult(Outcome.BUSY, 0, 0, null);
    }
}
