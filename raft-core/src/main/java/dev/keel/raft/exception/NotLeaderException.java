package dev.keel.raft.exception;

import dev.keel.raft.Member;
import dev.keel.raft.NodeId;

import java.util.Optional;

/**
 * The server is not the leader, so it did not accept the operation: it certainly did not take effect and may be
 * retried, preferably on {@link #leader()}. With forwarding on (the default, {@code RaftConfig.forwarding}), a
 * follower hands requests to the leader itself and this only says that no leader is known (or the one it knew
 * stepped down before it accepted the request).
 */
public class NotLeaderException extends RaftException {
    private final transient Member leader;

    /**
     * @param self   the server that refused
     * @param leader the leader it knows of, or {@code null} if it knows none
     */
    public NotLeaderException(NodeId self, NodeId leader) {
        this(self, leader == null ? null : Member.of(leader));
    }

    /**
     * @param self   the server that refused
     * @param leader the leader it knows of, with its address as the configuration records it, or {@code null}
     */
    public NotLeaderException(NodeId self, Member leader) {
        super(self + " is not the leader; " + (leader == null ? "no leader is known" : "the leader is " + leader));
        this.leader = leader;
    }

    /** The leader the refusing server knows of, if any. */
    public Optional<NodeId> leader() {
        return Optional.ofNullable(leader).map(Member::id);
    }

    /**
     * The leader the refusing server knows of, with the address the cluster's configuration holds for it (empty when
     * the transport was given every address up front), if any.
     */
    public Optional<Member> leaderMember() {
        return Optional.ofNullable(leader);
    }
}
