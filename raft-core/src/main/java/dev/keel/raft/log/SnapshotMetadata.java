package dev.keel.raft.log;

import dev.keel.raft.NodeId;

import java.util.Objects;
import java.util.Set;

/**
 * What a snapshot stands for (Raft §7): the state machine after applying every entry up to and including
 * {@code index}, whose term was {@code term}, with the cluster's voting members at that point.
 *
 * @param index    the last log index the snapshot includes, at least 1
 * @param term     the term of that entry
 * @param members  the voting members as of {@code index}
 * @param size     the snapshot's size in bytes
 * @param checksum CRC32C of the snapshot's bytes
 */
public record SnapshotMetadata(long index, long term, Set<NodeId> members, long size, long checksum) {
    /**
     * @throws IllegalArgumentException if index or term is below 1, members is empty or size is negative
     */
    public SnapshotMetadata {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("snapshot index and term must be >= 1, were " + index + " and " + term);
        }
        members = Set.copyOf(Objects.requireNonNull(members, "members"));
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a snapshot must name the cluster's members");
        }
        if (size < 0) {
            throw new IllegalArgumentException("snapshot size must be >= 0, was " + size);
        }
    }

    @Override
    public String toString() {
        return "Snapshot[" + index + "@" + term + " " + size + "B crc=" + Long.toHexString(checksum) + " members="
                + new java.util.TreeSet<>(members) + "]";
    }
}
