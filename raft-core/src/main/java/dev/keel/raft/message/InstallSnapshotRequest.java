package dev.keel.raft.message;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.SnapshotMetadata;

import java.util.Objects;

/**
 * InstallSnapshot (Raft §7, Figure 13): one chunk of the leader's snapshot, for a follower that needs entries the
 * leader has compacted away. Chunks are sent in order and acknowledged; the follower writes them to disk as they
 * arrive, verifies the whole against {@code snapshot}'s size and checksum, and only then installs it.
 *
 * @param from     the leader
 * @param to       the follower
 * @param term     the leader's term
 * @param snapshot which snapshot this chunk belongs to
 * @param offset   the chunk's position in the snapshot's bytes
 * @param data     the chunk's bytes (not copied: treat as immutable)
 * @param done     whether this is the last chunk
 */
public record InstallSnapshotRequest(NodeId from, NodeId to, long term, SnapshotMetadata snapshot, long offset,
                                     byte[] data, boolean done) implements RaftMessage {
    /**
     * @throws IllegalArgumentException if the chunk does not fit inside the snapshot
     */
    public InstallSnapshotRequest {
        Messages.requireHeader(from, to, term);
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(data, "data");
        Messages.requireNonNegative("offset", offset);
        if (offset + data.length > snapshot.size()) {
            throw new IllegalArgumentException("chunk [" + offset + ", " + (offset + data.length)
                    + ") goes past the end of " + snapshot);
        }
        if (done && offset + data.length != snapshot.size()) {
            throw new IllegalArgumentException("the last chunk must end at the snapshot's size " + snapshot.size());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstallSnapshotRequest r && from.equals(r.from) && to.equals(r.to) && term == r.term
                && snapshot.equals(r.snapshot) && offset == r.offset && done == r.done
                && java.util.Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, to, term, snapshot, offset, done) * 31 + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "InstallSnapshotRequest[" + from + "->" + to + " term=" + term + " " + snapshot + " offset=" + offset
                + " len=" + data.length + (done ? " done" : "") + "]";
    }
}
