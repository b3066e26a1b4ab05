package dev.keel.raft.message;

import dev.keel.raft.NodeId;

import java.util.Objects;

/**
 * A follower's answer to an {@link InstallSnapshotRequest}.
 *
 * @param from          the follower
 * @param to            the leader
 * @param term          the follower's term
 * @param snapshotIndex the index of the snapshot being transferred
 * @param status        what the follower did
 * @param position      for {@link Status#CONTINUE}, the offset of the next byte it needs (so a lost or reordered
 *                      chunk is resent from there); for {@link Status#INSTALLED}, the index up to which its log
 *                      now matches the leader's
 */
public record InstallSnapshotResponse(NodeId from, NodeId to, long term, long snapshotIndex, Status status,
                                      long position) implements RaftMessage {

    /** What the follower did with a chunk. */
    public enum Status {
        /** Stored; send more from {@code position}. */
        CONTINUE,
        /** The snapshot is installed (or the follower already had everything it holds). */
        INSTALLED,
        /** The follower cannot take this snapshot (verification or storage failed); the leader starts over later. */
        REJECTED
    }

    public InstallSnapshotResponse {
        Messages.requireHeader(from, to, term);
        Objects.requireNonNull(status, "status");
        Messages.requireNonNegative("snapshotIndex", snapshotIndex);
        Messages.requireNonNegative("position", position);
    }
}
