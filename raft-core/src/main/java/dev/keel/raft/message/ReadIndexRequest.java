package dev.keel.raft.message;

import dev.keel.raft.NodeId;

/**
 * A follower asks the leader for a read index on behalf of its own clients (thesis §6.4): the leader confirms its
 * leadership with a heartbeat round and answers with its commit index, after which the follower serves the read
 * locally once it has applied that far.
 *
 * @param from      the follower
 * @param to        the leader
 * @param term      the follower's term
 * @param requestId the follower's id for this request, echoed back
 */
public record ReadIndexRequest(NodeId from, NodeId to, long term, long requestId) implements RaftMessage {
    public ReadIndexRequest {
        Messages.requireHeader(from, to, term);
    }
}
