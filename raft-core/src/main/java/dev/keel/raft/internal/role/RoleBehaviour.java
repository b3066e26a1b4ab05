package dev.keel.raft.internal.role;

import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.message.RaftMessage;

/**
 * What one Raft role does with time, messages and requests. The engine has already applied the term rules of
 * §5.1 and answered vote requests before a message reaches a role, so a role sees only messages of its own term.
 */
public interface RoleBehaviour {

    Role role();

    /** One tick of time passed. */
    void onTick();

    /** A message of the current term arrived. */
    void onMessage(RaftMessage message);

    /** A client asks for a linearizable read. */
    void onRead(long requestId);

    /** The transport reports a peer unreachable. */
    default void onPeerUnreachable(NodeId peer) {
    }

    /** This server's log became durable further. */
    default void onDurable() {
    }

    /** The configuration in effect changed (an entry was appended, truncated away, or a snapshot installed). */
    default void onMembershipChanged() {
    }

    /** End of a batch of inputs: send what was held back to be batched. */
    default void flush() {
    }

    /** Whether {@link #flush()} would send anything: a pure question. */
    default boolean hasHeldBack() {
        return false;
    }

    /** The role is being replaced: release what it holds. */
    default void onExit() {
    }
}
