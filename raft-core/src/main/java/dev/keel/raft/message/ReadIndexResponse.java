package dev.keel.raft.message;

import dev.keel.raft.NodeId;

/**
 * The leader's answer to a {@link ReadIndexRequest}.
 *
 * @param from      the leader
 * @param to        the follower
 * @param term      the leader's term
 * @param requestId the id from the request
 * @param success   false if the leader could not serve it (it is not leader any more)
 * @param readIndex the index the follower must have applied before it runs the read, when successful
 */
public record ReadIndexResponse(NodeId from, NodeId to, long term, long requestId, boolean success, long readIndex)
        implements RaftMessage {
    public ReadIndexResponse {
        Messages.requireHeader(from, to, term);
        Messages.requireNonNegative("readIndex", readIndex);
    }
}
