package dev.keel.raft.message;

import dev.keel.raft.NodeId;

/**
 * TimeoutNow (thesis §3.10): the leader, handing over leadership, tells an up-to-date follower to start an election
 * at once, without waiting for its election timeout or running a pre-vote.
 *
 * @param from the leader
 * @param to   the follower chosen to take over
 * @param term the leader's term
 */
public record TimeoutNow(NodeId from, NodeId to, long term) implements RaftMessage {
    public TimeoutNow {
        Messages.requireHeader(from, to, term);
    }
}
