package dev.keel.raft.internal.transfer;

import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.log.SnapshotMetadata;
import org.junit.jupiter.api.Test;

import static dev.keel.raft.internal.transfer.SnapshotSendersTest.N1;
import static dev.keel.raft.internal.transfer.SnapshotSendersTest.N2;
import static dev.keel.raft.internal.transfer.SnapshotSendersTest.N3;
import static dev.keel.raft.internal.transfer.SnapshotSendersTest.NEWER;
import static dev.keel.raft.internal.transfer.SnapshotSendersTest.SNAP;
import static org.assertj.core.api.Assertions.assertThat;

/** The follower's side of InstallSnapshot: in-order writes, acknowledgements once written, stale chunks, timeout. */
class SnapshotReceiverTest {
    private final RecordingOutput out = new RecordingOutput();
    private final SnapshotReceiver receiver = new SnapshotReceiver(N2, SnapshotSendersTest.config().build(), out);

    private static InstallSnapshotRequest chunk(long offset, int length) {
        return chunk(N1, 2, SNAP, offset, length);
    }

    private static InstallSnapshotRequest chunk(SnapshotMetadata snap, long offset, int length) {
        return chunk(N1, 2, snap, offset, length);
    }

    private static InstallSnapshotRequest chunk(dev.keel.raft.NodeId from, long term, SnapshotMetadata snap,
                                                long offset, int length) {
        return new InstallSnapshotRequest(from, N2, term, snap, offset, new byte[length],
                offset + length == snap.size());
    }

    private SnapshotTask.ChunkWrite lastWrite() {
        var writes = out.tasks(SnapshotTask.ChunkWrite.class);
        return writes.get(writes.size() - 1);
    }

    private InstallSnapshotResponse lastAck() {
        var acks = out.messages(InstallSnapshotResponse.class);
        return acks.get(acks.size() - 1);
    }

    @Test
    void theExpectedChunkIsWrittenAndAcknowledgedOnlyOnceWritten() {
        receiver.onChunk(chunk(0, 4), 2, 0);
        SnapshotTask.ChunkWrite w = lastWrite();
        assertThat(w.offset()).isZero();
        assertThat(w.leader()).isEqualTo(N1);
        assertThat(w.last()).isFalse();
        assertThat(out.messages).as("not acknowledged on arrival").isEmpty();
        receiver.onWritten(w, 2);
        assertThat(lastAck().status()).isEqualTo(InstallSnapshotResponse.Status.CONTINUE);
        assertThat(lastAck().position()).isEqualTo(4);
        assertThat(lastAck().term()).isEqualTo(2);
        assertThat(lastAck().to()).isEqualTo(N1);
        receiver.onChunk(chunk(4, 4), 2, 1);
        assertThat(lastWrite().offset()).isEqualTo(4);
        assertThat(lastWrite().transfer()).as("the same transfer").isEqualTo(w.transfer());
        assertThat(receiver.expected()).isEqualTo(8);
    }

    @Test
    void aChunkNotAtTheStartWithNoTransferRunningIsAnsweredWithPositionZero() {
        receiver.onChunk(chunk(8, 4), 2, 0);
        assertThat(out.tasks).isEmpty();
        assertThat(lastAck().position()).isZero();
        assertThat(receiver.receiving()).isFalse();
    }

    @Test
    void aDuplicateOrOutOfOrderChunkIsNotWrittenAndIsAnsweredWithThePositionWanted() {
        receiver.onChunk(chunk(0, 4), 2, 0);
        receiver.onChunk(chunk(4, 4), 2, 0);
        out.clear();
        receiver.onChunk(chunk(4, 4), 2, 1);
        assertThat(out.tasks).as("a duplicate is not written twice").isEmpty();
        assertThat(lastAck().position()).isEqualTo(8);
        receiver.onChunk(chunk(16, 4), 2, 1);
        assertThat(out.tasks).as("a chunk after a gap is not written").isEmpty();
        assertThat(lastAck().position()).isEqualTo(8);
    }

    @Test
    void aChunkOfAnotherSnapshotLeaderOrTermSupersedesTheTransfer() {
        receiver.onChunk(chunk(0, 4), 2, 0);
        long first = lastWrite().transfer();
        receiver.onChunk(chunk(NEWER, 0, 4), 2, 1);
        assertThat(out.tasks(SnapshotTask.Ended.class)).singleElement().satisfies(e -> {
            assertThat(e.transfer()).isEqualTo(first);
            assertThat(e.outcome()).isEqualTo("superseded");
            assertThat(e.sending()).isFalse();
        });
        assertThat(lastWrite().snapshot()).isEqualTo(NEWER);
        long second = lastWrite().transfer();
        assertThat(second).isNotEqualTo(first);
        // A new leader in a later term starts over mid-way: superseded, and asked to start from 0.
        out.clear();
        receiver.onChunk(chunk(N3, 3, NEWER, 4, 4), 3, 2);
        assertThat(out.tasks(SnapshotTask.Ended.class)).singleElement()
                .satisfies(e -> assertThat(e.transfer()).isEqualTo(second));
        assertThat(out.tasks(SnapshotTask.ChunkWrite.class)).isEmpty();
        assertThat(lastAck().to()).isEqualTo(N3);
        assertThat(lastAck().position()).isZero();
    }

    @Test
    void aWriteOfAnEndedTransferIsNotAcknowledged() {
        receiver.onChunk(chunk(0, 4), 2, 0);
        SnapshotTask.ChunkWrite old = lastWrite();
        receiver.onChunk(chunk(NEWER, 0, 4), 2, 1);
        out.messages.clear();
        receiver.onWritten(old, 2);
        assertThat(out.messages).isEmpty();
    }

    @Test
    void aTransferWhoseChunksStopArrivingIsAbandonedAfterFourMaximumElectionTimeouts() {
        receiver.onChunk(chunk(0, 4), 2, 5);
        receiver.tick(85);
        assertThat(receiver.receiving()).isTrue();
        receiver.tick(86);
        assertThat(receiver.receiving()).isFalse();
        assertThat(out.tasks(SnapshotTask.Ended.class)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo("abandoned");
            assertThat(e.bytes()).isEqualTo(4);
        });
    }

    @Test
    void theLastChunkIsNotAcknowledgedAsAChunkAndEndsTheTransferOnceStored() {
        SnapshotMetadata small = new SnapshotMetadata(30, 2, SNAP.membership(), 0, 4, 1);
        receiver.onChunk(chunk(small, 0, 4), 2, 0);
        SnapshotTask.ChunkWrite w = lastWrite();
        assertThat(w.last()).isTrue();
        receiver.onWritten(w, 2);
        assertThat(out.messages).isEmpty();
        receiver.onStored(w);
        assertThat(receiver.receiving()).isFalse();
        assertThat(out.tasks(SnapshotTask.Ended.class)).as("the driver ended it itself").isEmpty();
    }

    @Test
    void aFailedWriteEndsTheTransferAndTellsTheLeader() {
        receiver.onChunk(chunk(0, 4), 2, 0);
        receiver.onWriteFailed(lastWrite(), 2);
        assertThat(receiver.receiving()).isFalse();
        assertThat(lastAck().status()).isEqualTo(InstallSnapshotResponse.Status.REJECTED);
        assertThat(lastAck().snapshotIndex()).isEqualTo(SNAP.index());
    }
}
