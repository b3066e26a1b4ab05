package dev.keel.raft.log;

import dev.keel.raft.Membership;

import java.util.Objects;

/**
 * What a snapshot stands for (Raft §7): the state machine after applying every entry up to and including
 * {@code index}, whose term was {@code term}, with the cluster's configuration at that point.
 *
 * @param index           the last log index the snapshot includes, at least 1
 * @param term            the term of that entry
 * @param membership      the configuration in effect at {@code index}
 * @param membershipIndex the index of the entry that introduced that configuration (0 for the bootstrap one)
 * @param size            the snapshot's size in bytes
 * @param checksum        CRC32C of the snapshot's bytes
 */
public record SnapshotMetadata(long index, long term, Membership membership, long membershipIndex, long size,
                               long checksum) {
    /**
     * @throws IllegalArgumentException if index or term is below 1, the membership index is negative or beyond
     *                                  {@code index}, or size is negative
     */
    public SnapshotMetadata {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("snapshot index and term must be >= 1, were " + index + " and " + term);
        }
        Objects.requireNonNull(membership, "membership");
        if (membershipIndex < 0 || membershipIndex > index) {
            throw new IllegalArgumentException("membership index must be in [0, " + index + "], was "
                    + membershipIndex);
        }
        if (size < 0) {
            throw new IllegalArgumentException("snapshot size must be >= 0, was " + size);
        }
    }

    @Override
    public String toString() {
        return "Snapshot[" + index + "@" + term + " " + size + "B crc=" + Long.toHexString(checksum) + " "
                + membership + " (from " + membershipIndex + ")]";
    }
}
