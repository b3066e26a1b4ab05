package dev.keel.raft.message;

import dev.keel.raft.NodeId;

import java.util.Objects;

/**
 * A follower forwards a client's request to the leader it knows, so that any member accepts any request. The leader
 * runs it only if it still leads in {@code term} and {@code from} is a member, and answers with a
 * {@link ForwardResponse}. Not a consensus message: the engine never sees it, and its term changes no one's.
 *
 * @param from      the follower
 * @param to        the leader, as the follower knows it
 * @param term      the follower's term, in which {@code to} leads
 * @param requestId the follower's id for this request, unique among its requests, echoed back
 * @param request   what the client asks
 */
public record ForwardRequest(NodeId from, NodeId to, long term, long requestId, ClientRequest request)
        implements RaftMessage {
    public ForwardRequest {
        Messages.requireHeader(from, to, term);
        Objects.requireNonNull(request, "request");
    }
}
