package dev.keel.raft.internal.read;

import dev.keel.raft.NodeId;

/**
 * A read waiting for the leader to confirm it is still leader.
 *
 * @param requestId  the requester's id for it
 * @param requester  the follower that forwarded it, or {@code null} for a read submitted on the leader itself
 * @param readIndex  the commit index the read must observe
 * @param seq        the heartbeat round that confirms it
 * @param issuedTick engine tick at which it arrived, for timing it out
 */
public record PendingRead(long requestId, NodeId requester, long readIndex, long seq, long issuedTick) {
}
