package dev.keel.raft.exception;

import dev.keel.raft.NodeId;

import java.util.Optional;

/**
 * The server is not the leader, so it did not accept the operation: it certainly did not take effect and may be
 * retried, preferably on {@link #leader()}.
 */
public class NotLeaderException extends RaftException {
    private final NodeId leader;

    /**
     * @param self   the server that refused
     * @param leader the leader it knows of, or {@code null} if it knows none
     */
    public NotLeaderException(NodeId self, NodeId leader) {
        super(self + " is not the leader; " + (leader == null ? "no leader is known" : "the leader is " + leader));
        this.leader = leader;
    }

    /** The leader the refusing server knows of, if any. */
    public Optional<NodeId> leader() {
        return Optional.ofNullable(leader);
    }
}
