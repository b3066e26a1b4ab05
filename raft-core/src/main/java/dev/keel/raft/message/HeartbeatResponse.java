package dev.keel.raft.message;

import dev.keel.raft.NodeId;

/**
 * Reply to a {@link Heartbeat}.
 *
 * @param from         the follower
 * @param to           the leader
 * @param term         the follower's term
 * @param readSeq      the {@code readSeq} of the heartbeat being answered
 * @param lastLogIndex the follower's last log index, which lets the leader notice lost AppendEntries
 */
public record HeartbeatResponse(NodeId from, NodeId to, long term, long readSeq, long lastLogIndex)
        implements RaftMessage {
    public HeartbeatResponse {
        Messages.requireHeader(from, to, term);
        Messages.requireNonNegative("readSeq", readSeq);
        Messages.requireNonNegative("lastLogIndex", lastLogIndex);
    }
}
