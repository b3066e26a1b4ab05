package dev.keel.raft.message;

import dev.keel.raft.NodeId;

/**
 * The leader's periodic assertion of authority (Raft §5.2), kept apart from AppendEntries so that it never has to
 * pass the consistency check.
 *
 * @param from        the leader
 * @param to          the follower
 * @param term        the leader's term
 * @param commitIndex the leader's commit index, capped at the follower's known match index so that a follower
 *                    never commits an entry it has not been shown to hold
 * @param readSeq     the latest ReadIndex round the leader has started (thesis §6.4); echoed back
 */
public record Heartbeat(NodeId from, NodeId to, long term, long commitIndex, long readSeq) implements RaftMessage {
    public Heartbeat {
        Messages.requireHeader(from, to, term);
        Messages.requireNonNegative("commitIndex", commitIndex);
        Messages.requireNonNegative("readSeq", readSeq);
    }
}
