package dev.keel.raft;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A consistent snapshot of one server's Raft state, as seen by its event loop at one moment.
 *
 * @param id           this server
 * @param role         its role
 * @param term         its current term
 * @param leader       the leader it knows of in {@code term}, or {@code null}
 * @param commitIndex  highest log index known to be committed
 * @param appliedIndex highest log index applied to the state machine; never above {@code commitIndex} (it may be
 *                     more recent than the rest: the applier's progress when the status was read)
 * @param firstLogIndex index of the first entry its log still holds (entries before it were compacted away and
 *                      live only in snapshots; the log is empty when it exceeds {@code lastLogIndex})
 * @param lastLogIndex index of the last entry in its log
 * @param snapshotIndex index up to which its newest snapshot covers the log; 0 without one
 * @param membership   the configuration in effect (voters, learners, outgoing voters during a change); {@code null}
 *                     while a server joining a cluster has not heard from it yet
 * @param membershipIndex the index of the log entry that introduced it (0 for the initial configuration)
 * @param membershipChangeInProgress whether a membership change is under way
 * @param matchIndex   when leader: for each other member, the highest index known to be replicated on it;
 *                     otherwise empty
 */
public record ServerStatus(NodeId id, Role role, long term, NodeId leader, long commitIndex, long appliedIndex,
                           long firstLogIndex, long lastLogIndex, long snapshotIndex, Membership membership, long membershipIndex,
                           boolean membershipChangeInProgress, Map<NodeId, Long> matchIndex) {
    public ServerStatus {
        matchIndex = Map.copyOf(matchIndex);
    }

    /** Ids of the voters (empty while the configuration is unknown). */
    public Set<NodeId> voters() {
        return membership == null ? Set.of() : membership.voterIds();
    }

    /** Ids of the learners. */
    public Set<NodeId> learners() {
        return membership == null ? Set.of() : membership.learnerIds();
    }

    /** The known leader, if any. */
    public Optional<NodeId> leaderId() {
        return Optional.ofNullable(leader);
    }

    /** Whether this server is the leader. */
    public boolean isLeader() {
        return role == Role.LEADER;
    }
}
