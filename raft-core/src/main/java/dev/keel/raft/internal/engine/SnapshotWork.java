package dev.keel.raft.internal.engine;

import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.log.SnapshotMetadata;

import java.util.List;

/**
 * The snapshot work of one {@link Ready}: the disk side of snapshot transfers, which the engine decides but cannot do.
 *
 * @param restore a snapshot received from the leader that the state machine must be restored from (the log has been
 *                reset after it), or {@code null}
 * @param tasks   chunk reads, chunk writes and ended transfers, to be carried out in this order; their outcomes go
 *                back to the engine ({@code snapshotChunkRead}, {@code snapshotChunkWritten}, ...)
 */
public record SnapshotWork(SnapshotMetadata restore, List<SnapshotTask> tasks) {

    /** No snapshot work. */
    public static final SnapshotWork NONE = new SnapshotWork(null, List.of());

    /** Whether there is nothing to do. */
    public boolean isEmpty() {
        return restore == null && tasks.isEmpty();
    }
}
