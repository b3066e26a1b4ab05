package dev.keel.raft.internal.engine;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.Role;

/**
 * The volatile part of a server's state that observers care about.
 *
 * @param role   the role
 * @param term   the current term
 * @param leader          the known leader in {@code term}, or {@code null}
 * @param membership      the configuration in effect, or {@code null} while a joining server knows none
 * @param membershipIndex the index of the entry that introduced it
 */
public record SoftState(Role role, long term, NodeId leader, Membership membership, long membershipIndex) {
}
