package dev.keel.raft.internal.engine;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;

import java.util.List;

/**
 * The snapshot work of one {@link Ready}, carried out by the runtime because it streams bytes from and to disk.
 *
 * @param restore  a snapshot received from the leader that the state machine must be restored from (the log has
 *                 been reset after it), or {@code null}
 * @param sends    snapshot transfers to start (a running one to the same follower is replaced)
 * @param chunks   chunks received from the leader, to be written in order and acknowledged
 * @param acks     followers' answers about chunks, for the running transfers
 */
public record SnapshotWork(SnapshotMetadata restore, List<Send> sends, List<InstallSnapshotRequest> chunks,
                           List<InstallSnapshotResponse> acks) {

    /** No snapshot work. */
    public static final SnapshotWork NONE = new SnapshotWork(null, List.of(), List.of(), List.of());

    /**
     * Send {@code snapshot} to {@code peer}, in the leader's {@code term}.
     *
     * @param peer     the follower
     * @param term     the leader's term
     * @param snapshot the snapshot to send
     */
    public record Send(NodeId peer, long term, SnapshotMetadata snapshot) {
    }

    public boolean isEmpty() {
        return restore == null && sends.isEmpty() && chunks.isEmpty() && acks.isEmpty();
    }
}
