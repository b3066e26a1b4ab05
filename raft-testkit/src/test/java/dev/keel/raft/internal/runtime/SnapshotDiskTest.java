package dev.keel.raft.internal.runtime;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotWriter;
import dev.keel.raft.testing.InMemorySnapshotStorage;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The disk side of snapshot transfers, with the background thread stepped by hand. */
class SnapshotDiskTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final Membership MEMBERS = Membership.ofVoters(List.of(Member.of(N1), Member.of(N2)));
    private static final byte[] BYTES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    private final ArrayDeque<Runnable> background = new ArrayDeque<>();
    private final List<String> results = new ArrayList<>();
    private final List<byte[]> readBytes = new ArrayList<>();
    private final List<SnapshotMetadata> stored = new ArrayList<>();

    private final SnapshotDisk.Engine engine = new SnapshotDisk.Engine() {
        @Override
        public void chunkRead(SnapshotTask.ChunkRead read, byte[] data) {
            results.add("read " + read.offset());
            readBytes.add(data);
        }

        @Override
        public void readFailed(SnapshotTask.ChunkRead read) {
            results.add("read failed " + read.offset());
        }

        @Override
        public void chunkWritten(SnapshotTask.ChunkWrite write) {
            results.add("written " + write.offset());
        }

        @Override
        public void stored(SnapshotTask.ChunkWrite last, SnapshotMetadata snapshot) {
            results.add("stored " + snapshot.index());
            stored.add(snapshot);
        }

        @Override
        public void writeFailed(SnapshotTask.ChunkWrite write) {
            results.add("write failed " + write.offset());
        }
    };

    private static SnapshotMetadata storedSnapshot(InMemorySnapshotStorage storage) throws Exception {
        SnapshotWriter w = storage.create(30, 2, MEMBERS, 0);
        w.stream().write(BYTES);
        return w.commit();
    }

    private SnapshotDisk disk(InMemorySnapshotStorage storage) {
        return new SnapshotDisk(N1, storage, background::add, Runnable::run, Telemetry.none(N1), engine);
    }

    private void runBackground() {
        while (!background.isEmpty()) {
            background.poll().run();
        }
    }

    private static List<SnapshotTask> chunks(SnapshotMetadata snap, long transfer, int... lengths) {
        List<SnapshotTask> tasks = new ArrayList<>();
        long at = 0;
        for (int length : lengths) {
            tasks.add(new SnapshotTask.ChunkWrite(transfer, N1, snap, at, Arrays.copyOfRange(BYTES, (int) at,
                    (int) at + length), at + length == snap.size()));
            at += length;
        }
        return tasks;
    }

    @Test
    void oneTransfersReadsAreReadInOneBackgroundTaskAndHandedBackInOrder() throws Exception {
        InMemorySnapshotStorage storage = new InMemorySnapshotStorage();
        SnapshotMetadata snap = storedSnapshot(storage);
        disk(storage).handle(List.of(new SnapshotTask.ChunkRead(1, N2, snap, 0, 4),
                new SnapshotTask.ChunkRead(1, N2, snap, 4, 4), new SnapshotTask.ChunkRead(1, N2, snap, 8, 2)));
        assertThat(background).hasSize(1);
        runBackground();
        assertThat(results).containsExactly("read 0", "read 4", "read 8");
        assertThat(readBytes).containsExactly(new byte[]{1, 2, 3, 4}, new byte[]{5, 6, 7, 8}, new byte[]{9, 10});
    }

    @Test
    void aSnapshotThatCannotBeReadIsReportedOnce() throws Exception {
        InMemorySnapshotStorage storage = new InMemorySnapshotStorage();
        SnapshotMetadata gone = new SnapshotMetadata(99, 2, MEMBERS, 0, 10, 1);
        disk(storage).handle(List.of(new SnapshotTask.ChunkRead(1, N2, gone, 0, 4),
                new SnapshotTask.ChunkRead(1, N2, gone, 4, 4)));
        runBackground();
        assertThat(results).containsExactly("read failed 0");
    }

    @Test
    void receivedChunksAreWrittenAndTheLastIsVerifiedAndStored() throws Exception {
        SnapshotMetadata snap = storedSnapshot(new InMemorySnapshotStorage());
        InMemorySnapshotStorage storage = new InMemorySnapshotStorage();
        disk(storage).handle(chunks(snap, 7, 4, 4, 2));
        runBackground();
        assertThat(results).containsExactly("written 0", "written 4", "stored 30");
        assertThat(storage.latest()).contains(stored.get(0));
        assertThat(stored.get(0).checksum()).isEqualTo(snap.checksum());
    }

    @Test
    void aSnapshotThatFailsVerificationIsAWriteFailureAndIsNotKept() throws Exception {
        SnapshotMetadata snap = storedSnapshot(new InMemorySnapshotStorage());
        SnapshotMetadata wrong = new SnapshotMetadata(snap.index(), snap.term(), MEMBERS, 0, snap.size(),
                snap.checksum() + 1);
        InMemorySnapshotStorage storage = new InMemorySnapshotStorage();
        disk(storage).handle(chunks(wrong, 7, 4, 6));
        runBackground();
        assertThat(results).containsExactly("written 0", "write failed 4");
        assertThat(storage.latest()).isEmpty();
    }

    @Test
    void anEndedReceivingTransferDiscardsItsPartialCopyAndReportsNothingMore() throws Exception {
        SnapshotMetadata snap = storedSnapshot(new InMemorySnapshotStorage());
        InMemorySnapshotStorage storage = new InMemorySnapshotStorage();
        SnapshotDisk disk = disk(storage);
        List<SnapshotTask> tasks = chunks(snap, 7, 4, 6);
        disk.handle(List.of(tasks.get(0), new SnapshotTask.Ended(7, N1, snap, false, 4, "superseded")));
        runBackground();
        assertThat(results).containsExactly("written 0");
        assertThat(storage.latest()).isEmpty();
    }
}
