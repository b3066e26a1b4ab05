package dev.keel.raft.testing;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.SnapshotWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The behaviour every {@link SnapshotStorage} must have. Extend it and implement the two factory methods. */
public abstract class SnapshotStorageContract {
    protected static final Membership MEMBERS = Membership.of(
            List.of(Member.of("n1", "127.0.0.1:7001"), Member.of("n2", "127.0.0.1:7002"), Member.of("n3", "")),
            List.of(Member.of("n4", "10.0.0.4:7004")));

    private final List<SnapshotStorage> opened = new ArrayList<>();

    /** A new, empty storage that keeps the newest two snapshots. */
    protected abstract SnapshotStorage createStorage() throws Exception;

    /** Closes {@code storage} and opens its data again, as a restarted server would. */
    protected abstract SnapshotStorage reopen(SnapshotStorage storage) throws Exception;

    private SnapshotStorage create() throws Exception {
        SnapshotStorage s = createStorage();
        opened.add(s);
        return s;
    }

    private SnapshotStorage restart(SnapshotStorage s) throws Exception {
        SnapshotStorage r = reopen(s);
        opened.add(r);
        return r;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(SnapshotStorage::close);
    }

    protected static byte[] bytes(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    protected static SnapshotMetadata write(SnapshotStorage s, long index, byte[] data) throws IOException {
        try (SnapshotWriter w = s.create(index, 3, MEMBERS, 1)) {
            w.stream().write(data);
            return w.commit();
        }
    }

    protected static byte[] read(SnapshotStorage s, SnapshotMetadata m, long offset) throws IOException {
        try (InputStream in = s.open(m, offset)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aNewStorageHasNoSnapshot() throws Exception {
        assertThat(create().latest()).isEmpty();
    }

    @Test
    void aCommittedSnapshotIsReadBackWithItsMetadata() throws Exception {
        SnapshotStorage s = create();
        byte[] data = bytes(100_000, 1);
        SnapshotMetadata m = write(s, 42, data);
        CRC32C crc = new CRC32C();
        crc.update(data);
        assertThat(m).isEqualTo(new SnapshotMetadata(42, 3, MEMBERS, 1, data.length, crc.getValue()));
        assertThat(s.latest()).contains(m);
        assertThat(read(s, m, 0)).isEqualTo(data);
        assertThat(read(s, m, 99_000)).isEqualTo(java.util.Arrays.copyOfRange(data, 99_000, 100_000));
    }

    @Test
    void anEmptySnapshotIsValid() throws Exception {
        SnapshotStorage s = create();
        SnapshotMetadata m = write(s, 1, new byte[0]);
        assertThat(read(s, m, 0)).isEmpty();
    }

    @Test
    void anAbortedOrUncommittedSnapshotIsNeverVisible() throws Exception {
        SnapshotStorage s = create();
        SnapshotMetadata first = write(s, 10, bytes(10, 1));
        SnapshotWriter aborted = s.create(20, 3, MEMBERS, 1);
        aborted.stream().write(bytes(1000, 2));
        aborted.abort();
        SnapshotWriter unfinished = s.create(30, 3, MEMBERS, 1);
        unfinished.stream().write(bytes(1000, 3));
        assertThat(s.latest()).contains(first);
        SnapshotStorage r = restart(s);
        assertThat(r.latest()).contains(first);
    }

    @Test
    void committedSnapshotsSurviveRestart() throws Exception {
        SnapshotStorage s = create();
        byte[] data = bytes(5000, 7);
        SnapshotMetadata m = write(s, 7, data);
        SnapshotStorage r = restart(s);
        assertThat(r.latest()).contains(m);
        assertThat(read(r, m, 0)).isEqualTo(data);
    }

    @Test
    void onlyTheNewestSnapshotsAreKept() throws Exception {
        SnapshotStorage s = create();
        SnapshotMetadata a = write(s, 10, bytes(10, 1));
        SnapshotMetadata b = write(s, 20, bytes(10, 2));
        SnapshotMetadata c = write(s, 30, bytes(10, 3));
        assertThat(s.latest()).contains(c);
        assertThatThrownBy(() -> read(s, a, 0)).isInstanceOf(IOException.class);
        assertThat(read(s, b, 0)).isEqualTo(bytes(10, 2));
    }

    @Test
    void aVerifiedCommitRejectsBytesThatDoNotMatch() throws Exception {
        SnapshotStorage s = create();
        byte[] data = bytes(4096, 5);
        CRC32C crc = new CRC32C();
        crc.update(data);
        SnapshotMetadata expected = new SnapshotMetadata(50, 3, MEMBERS, 1, data.length, crc.getValue());
        SnapshotWriter bad = s.create(50, 3, MEMBERS, 1);
        byte[] corrupted = data.clone();
        corrupted[100] ^= 1;
        bad.stream().write(corrupted);
        assertThatThrownBy(() -> bad.commitVerified(expected)).isInstanceOf(IOException.class);
        assertThat(s.latest()).isEmpty();
        try (SnapshotWriter good = s.create(50, 3, MEMBERS, 1)) {
            good.stream().write(data);
            assertThat(good.commitVerified(expected)).isEqualTo(expected);
        }
        assertThat(s.latest()).contains(expected);
    }
}
