package dev.keel.raft.internal.transfer;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.SnapshotMetadata;

/**
 * Disk work of a snapshot transfer that the engine asks its driver for, in the order it must be carried out. Each
 * names its transfer by an id unique within the engine, so that a late answer about a transfer that has since ended
 * or been replaced is recognised and ignored.
 */
public sealed interface SnapshotTask permits SnapshotTask.ChunkRead, SnapshotTask.ChunkWrite, SnapshotTask.Ended {

    /** The transfer this task belongs to. */
    long transfer();

    /**
     * Read {@code length} bytes of {@code snapshot} from {@code offset} and hand them to the engine
     * ({@code snapshotChunkRead}), or report that they cannot be read ({@code snapshotReadFailed}). Consecutive reads
     * of one transfer may be read in one go.
     *
     * @param transfer the sending transfer
     * @param peer     the follower the chunk is for
     * @param snapshot the snapshot being sent
     * @param offset   the first byte
     * @param length   the number of bytes (0 only for an empty snapshot)
     */
    record ChunkRead(long transfer, NodeId peer, SnapshotMetadata snapshot, long offset, int length)
            implements SnapshotTask {
    }

    /**
     * Write {@code data} at {@code offset} of the snapshot being received (offset 0 starts it), then report it
     * written ({@code snapshotChunkWritten}); after the {@code last} chunk verify and make the snapshot durable and
     * report it stored ({@code snapshotStored}). A failure is reported once ({@code snapshotWriteFailed}); the partial
     * copy is discarded.
     *
     * @param transfer the receiving transfer
     * @param leader   the leader sending it
     * @param snapshot the snapshot as the leader describes it (size and checksum to verify)
     * @param offset   where {@code data} goes
     * @param data     the chunk's bytes
     * @param last     whether this chunk completes the snapshot
     */
    record ChunkWrite(long transfer, NodeId leader, SnapshotMetadata snapshot, long offset, byte[] data, boolean last)
            implements SnapshotTask {
    }

    /**
     * A transfer ended: release what it holds (the open snapshot reader; the partial copy being written) and record
     * it. A receiving transfer that the driver itself completed or failed is not reported again.
     *
     * @param transfer the transfer
     * @param peer     the follower (sending) or the leader (receiving)
     * @param snapshot the snapshot
     * @param sending  whether this server was sending it
     * @param bytes    the bytes sent, or received in order
     * @param outcome  {@code installed}, {@code rejected}, {@code superseded}, {@code abandoned} or {@code failed}
     */
    record Ended(long transfer, NodeId peer, SnapshotMetadata snapshot, boolean sending, long bytes, String outcome)
            implements SnapshotTask {
    }
}
