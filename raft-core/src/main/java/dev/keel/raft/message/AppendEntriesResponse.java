package dev.keel.raft.message;

import dev.keel.raft.NodeId;

/**
 * Reply to an {@link AppendEntriesRequest} (Raft §5.3), sent only once the accepted entries are durable.
 *
 * <p>On rejection the follower adds a hint so that the leader can skip a whole conflicting term at once instead of
 * backing up one entry per round trip: the term of its own entry at the rejected index and the first index it holds
 * in that term, or, if its log is too short, {@code conflictTerm = 0} and its last index + 1.
 *
 * @param from          the follower
 * @param to            the leader
 * @param term          the follower's term
 * @param success       whether the entries were accepted
 * @param index         on success, the index up to which the follower's log now matches the leader's; on
 *                      rejection, the {@code prevLogIndex} of the rejected request
 * @param conflictTerm  on rejection, the term of the follower's entry at {@code index}, or 0 if it has none
 * @param conflictIndex on rejection, the first index the follower holds in {@code conflictTerm}, or its last
 *                      index + 1 when {@code conflictTerm} is 0
 */
public record AppendEntriesResponse(NodeId from, NodeId to, long term, boolean success, long index,
                                    long conflictTerm, long conflictIndex) implements RaftMessage {
    public AppendEntriesResponse {
        Messages.requireHeader(from, to, term);
        Messages.requireNonNegative("index", index);
        Messages.requireNonNegative("conflictTerm", conflictTerm);
        Messages.requireNonNegative("conflictIndex", conflictIndex);
    }

    /** A successful reply. */
    public static AppendEntriesResponse accepted(NodeId from, NodeId to, long term, long matchIndex) {
        return new AppendEntriesResponse(from, to, term, true, matchIndex, 0, 0);
    }
}
