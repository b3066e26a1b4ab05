package dev.keel.raft.log;

import dev.keel.raft.NodeId;

import java.util.Optional;

/**
 * The state a server must persist before it answers an RPC (Raft Figure 2): the latest term it has seen and the
 * candidate it voted for in that term.
 *
 * @param term     current term, at least 0
 * @param votedFor the candidate voted for in {@code term}, or {@code null} when none
 */
public record HardState(long term, NodeId votedFor) {
    /** The state of a server that has never run: term 0, no vote. */
    public static final HardState INITIAL = new HardState(0, null);

    /**
     * @throws IllegalArgumentException if term is negative
     */
    public HardState {
        if (term < 0) {
            throw new IllegalArgumentException("term must be >= 0, was " + term);
        }
    }

    /** The vote, if any. */
    public Optional<NodeId> vote() {
        return Optional.ofNullable(votedFor);
    }
}
