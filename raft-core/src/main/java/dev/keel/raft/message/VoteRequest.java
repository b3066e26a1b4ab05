package dev.keel.raft.message;

import dev.keel.raft.NodeId;

/**
 * RequestVote (Raft §5.2, Figure 2), or its PreVote form (thesis §9.6).
 *
 * <p>A pre-vote asks "would you vote for me in {@code term}?" without anyone changing term, so that a server that
 * cannot win (for example, one cut off by a partition) never disturbs a healthy cluster.
 *
 * @param from         the candidate
 * @param to           the voter asked
 * @param term         the candidate's term; for a pre-vote, the term it would campaign in
 * @param lastLogIndex index of the candidate's last log entry (§5.4.1)
 * @param lastLogTerm  term of the candidate's last log entry (§5.4.1)
 * @param preVote      true for a pre-vote
 * @param transfer     true when the candidate runs because the leader handed leadership to it (thesis §3.10): voters
 *                     then grant even though they heard from that leader recently
 */
public record VoteRequest(NodeId from, NodeId to, long term, long lastLogIndex, long lastLogTerm, boolean preVote,
                          boolean transfer) implements RaftMessage {
    public VoteRequest {
        Messages.requireHeader(from, to, term);
        Messages.requireNonNegative("lastLogIndex", lastLogIndex);
        Messages.requireNonNegative("lastLogTerm", lastLogTerm);
    }

    /** An ordinary vote or pre-vote request, not part of a leadership transfer. */
    public VoteRequest(NodeId from, NodeId to, long term, long lastLogIndex, long lastLogTerm, boolean preVote) {
        this(from, to, term, lastLogIndex, lastLogTerm, preVote, false);
    }
}
