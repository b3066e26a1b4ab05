package dev.keel.raft.internal.role;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;

import java.util.Set;

/**
 * A membership change the leader is carrying out, in up to three configuration entries (thesis §4.2-§4.3): new
 * voters first join as learners and catch up; then the joint configuration (old and new voters) is committed; then
 * the new configuration alone.
 */
final class MembershipChange {

    /** Where the change stands. */
    enum Phase {
        /** New voters are learners, catching up with the leader's log. */
        CATCHING_UP,
        /** The joint configuration is appended; waiting for it to commit. */
        JOINT,
        /** The final configuration is appended; waiting for it to commit. */
        FINAL
    }

    final long requestId;
    final Membership target;
    final Set<NodeId> promoted;
    final long deadline;
    Phase phase;
    long entryIndex;
    // Index of the configuration that made the new voters learners (0 if they already were).
    long learnersIndex;

    /**
     * @param requestId the caller's id, or -1 for a change the leader finishes on its own (leaving a joint
     *                  configuration it inherited)
     * @param target    the configuration to reach
     * @param promoted  nodes that become voters and must catch up first
     * @param deadline  tick by which catching up must be done
     */
    MembershipChange(long requestId, Membership target, Set<NodeId> promoted, long deadline) {
        this.requestId = requestId;
        this.target = target;
        this.promoted = Set.copyOf(promoted);
        this.deadline = deadline;
    }
}
