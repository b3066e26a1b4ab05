package dev.keel.raft.message;

import dev.keel.raft.NodeId;

/**
 * Reply to a {@link VoteRequest} (Raft §5.2).
 *
 * @param from    the voter
 * @param to      the candidate
 * @param term    the voter's term; for a granted pre-vote, the term of the request
 * @param granted whether the vote (or pre-vote) is granted
 * @param preVote true if this answers a pre-vote
 */
public record VoteResponse(NodeId from, NodeId to, long term, boolean granted, boolean preVote)
        implements RaftMessage {
    public VoteResponse {
        Messages.requireHeader(from, to, term);
    }
}
