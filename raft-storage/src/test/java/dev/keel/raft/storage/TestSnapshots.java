package dev.keel.raft.storage;

import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.SnapshotWriter;

import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/** Helpers shared by the snapshot storage tests: self-describing contents, writing and reading whole snapshots. */
final class TestSnapshots {
    static final dev.keel.raft.Membership MEMBERS = dev.keel.raft.Membership.of(java.util.List.of(
            dev.keel.raft.Member.of("n1", "10.0.0.1:7001"), dev.keel.raft.Member.of("n2", "10.0.0.2:7001"),
            dev.keel.raft.Member.of("n3", "")), java.util.List.of(dev.keel.raft.Member.of("n4", "10.0.0.4:7001")));

    private TestSnapshots() {
    }

    /** The bytes of a snapshot at {@code index}: a function of index and size, so any read can be checked. */
    static byte[] content(long index, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(index * 0x9E3779B97F4A7C15L + size).nextBytes(b);
        return b;
    }

    static long crc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    /** Commits a snapshot at {@code index} (term = index / 10 + 1) holding {@link #content}. */
    static SnapshotMetadata write(SnapshotStorage s, long index, int size) throws IOException {
        try (SnapshotWriter w = s.create(index, index / 10 + 1, MEMBERS, 0)) {
            w.stream().write(content(index, size));
            return w.commit();
        }
    }

    static byte[] read(SnapshotStorage s, SnapshotMetadata m) throws IOException {
        try (InputStream in = s.open(m, 0)) {
            return in.readAllBytes();
        }
    }
}
