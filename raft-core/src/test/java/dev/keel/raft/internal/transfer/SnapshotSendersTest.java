package dev.keel.raft.internal.transfer;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The leader's side of InstallSnapshot: window, rewind, timeout, rate budget, stale reads, leadership loss. */
class SnapshotSendersTest {
    static final NodeId N1 = NodeId.of("n1");
    static final NodeId N2 = NodeId.of("n2");
    static final NodeId N3 = NodeId.of("n3");
    static final SnapshotMetadata SNAP = new SnapshotMetadata(30, 2,
            Membership.ofVoters(List.of(Member.of(N1), Member.of(N2), Member.of(N3))), 0, 40, 1234);
    static final SnapshotMetadata NEWER = new SnapshotMetadata(50, 2, SNAP.membership(), 0, 40, 5678);

    /** 10 ms ticks, election timeout 10 to 20 ticks; chunks of 4 bytes, 4 of them in flight. */
    static RaftConfig.Builder config() {
        return RaftConfig.builder().tickInterval(Duration.ofMillis(10)).heartbeatInterval(Duration.ofMillis(10))
                .electionTimeout(Duration.ofMillis(100), Duration.ofMillis(200)).snapshotChunkBytes(4)
                .snapshotInflightChunks(4);
    }

    private final RecordingOutput out = new RecordingOutput();
    private SnapshotSenders senders = new SnapshotSenders(N1, config().build(), out);

    private static byte[] bytes(SnapshotTask.ChunkRead r) {
        return new byte[r.length()];
    }

    /** Completes every chunk read asked for so far, in order, and returns the reads. */
    private List<SnapshotTask.ChunkRead> completeReads() {
        List<SnapshotTask.ChunkRead> reads = out.tasks(SnapshotTask.ChunkRead.class);
        out.tasks.removeIf(SnapshotTask.ChunkRead.class::isInstance);
        reads.forEach(r -> senders.onChunkRead(r, bytes(r)));
        return reads;
    }

    private static List<Long> offsets(List<SnapshotTask.ChunkRead> reads) {
        return reads.stream().map(SnapshotTask.ChunkRead::offset).toList();
    }

    private InstallSnapshotResponse ack(long position) {
        return new InstallSnapshotResponse(N2, N1, 2, SNAP.index(), InstallSnapshotResponse.Status.CONTINUE, position);
    }

    @Test
    void aTransferAsksForAWindowOfChunksAndSendsEachOnceRead() {
        senders.start(N2, 2, SNAP, 0);
        List<SnapshotTask.ChunkRead> reads = out.tasks(SnapshotTask.ChunkRead.class);
        assertThat(offsets(reads)).containsExactly(0L, 4L, 8L, 12L);
        assertThat(reads).allSatisfy(r -> {
            assertThat(r.peer()).isEqualTo(N2);
            assertThat(r.length()).isEqualTo(4);
            assertThat(r.snapshot()).isEqualTo(SNAP);
        });
        assertThat(out.messages).as("nothing leaves before its bytes are read").isEmpty();

        completeReads();
        assertThat(out.messages(InstallSnapshotRequest.class)).extracting(InstallSnapshotRequest::offset)
                .containsExactly(0L, 4L, 8L, 12L);
        assertThat(out.messages(InstallSnapshotRequest.class)).allSatisfy(c -> {
            assertThat(c.term()).isEqualTo(2);
            assertThat(c.to()).isEqualTo(N2);
            assertThat(c.done()).isFalse();
        });
        assertThat(out.tasks(SnapshotTask.ChunkRead.class)).as("the window is full").isEmpty();
        assertThat(senders.sender(N2).sent()).isEqualTo(16);
    }

    @Test
    void theWindowIsRefilledOnceHalfOfItIsAcknowledged() {
        senders.start(N2, 2, SNAP, 0);
        completeReads();
        senders.onAck(ack(4), 1);
        assertThat(out.tasks(SnapshotTask.ChunkRead.class)).as("three quarters still in flight").isEmpty();
        senders.onAck(ack(8), 1);
        assertThat(offsets(out.tasks(SnapshotTask.ChunkRead.class))).containsExactly(16L, 20L);
    }

    @Test
    void theLastChunkIsMarkedDoneAndNothingIsReadAfterIt() {
        senders.start(N2, 2, SNAP, 0);
        for (long acked = 0; acked < SNAP.size(); acked = senders.sender(N2).sent()) {
            completeReads();
            senders.onAck(ack(senders.sender(N2).sent()), 1);
        }
        List<InstallSnapshotRequest> chunks = out.messages(InstallSnapshotRequest.class);
        assertThat(chunks).extracting(InstallSnapshotRequest::offset)
                .containsExactly(0L, 4L, 8L, 12L, 16L, 20L, 24L, 28L, 32L, 36L);
        assertThat(chunks).filteredOn(InstallSnapshotRequest::done).extracting(InstallSnapshotRequest::offset)
                .containsExactly(36L);
        assertThat(out.tasks(SnapshotTask.ChunkRead.class)).isEmpty();
    }

    @Test
    void withoutAcknowledgementsForElectionTimeoutMinTicksTheTransferResendsFromTheLastAcknowledgedByte() {
        senders.start(N2, 2, SNAP, 0);
        completeReads();
        senders.onAck(ack(4), 1);
        for (long now = 2; now <= 11; now++) {
            assertThat(senders.tick(now)).isEmpty();
        }
        assertThat(out.tasks(SnapshotTask.ChunkRead.class)).as("10 ticks without progress: not yet").isEmpty();
        senders.tick(12);
        assertThat(offsets(out.tasks(SnapshotTask.ChunkRead.class))).containsExactly(4L, 8L, 12L, 16L);
        completeReads();
        out.clear();
        // One rewind per electionTimeoutMin: the resent window is not resent again at once.
        senders.tick(13);
        senders.tick(22);
        assertThat(out.tasks(SnapshotTask.ChunkRead.class)).isEmpty();
        senders.tick(23);
        assertThat(offsets(out.tasks(SnapshotTask.ChunkRead.class))).containsExactly(4L, 8L, 12L, 16L);
    }

    @Test
    void aTransferWithoutProgressForFourMaximumElectionTimeoutsIsAbandoned() {
        senders.start(N2, 2, SNAP, 0);
        completeReads();
        senders.onAck(ack(4), 5);
        assertThat(senders.tick(85)).isEmpty();
        assertThat(senders.tick(86)).containsExactly(N2);
        assertThat(senders.sender(N2)).isNull();
        assertThat(out.tasks(SnapshotTask.Ended.class)).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo("abandoned");
            assertThat(e.sending()).isTrue();
            assertThat(e.bytes()).isEqualTo(16);
        });
    }

    @Test
    void anAcknowledgementBehindWhatWasSentRewindsAtOnce() {
        senders.start(N2, 2, SNAP, 0);
        completeReads();
        out.clear();
        // The follower lacks the first chunk (lost): it asks for byte 0.
        senders.onAck(ack(0), 1);
        assertThat(offsets(out.tasks(SnapshotTask.ChunkRead.class))).containsExactly(0L, 4L, 8L, 12L);
    }

    @Test
    void readsOutstandingWhenTheTransferRewindsAreNotSent() {
        senders.start(N2, 2, SNAP, 0);
        completeReads();
        senders.onAck(ack(8), 1);
        List<SnapshotTask.ChunkRead> refill = out.tasks(SnapshotTask.ChunkRead.class);
        out.clear();
        senders.onAck(ack(4), 2);
        assertThat(out.tasks(SnapshotTask.ChunkRead.class)).as("waits for the reads in flight").isEmpty();
        refill.forEach(r -> senders.onChunkRead(r, bytes(r)));
        assertThat(out.messages).as("bytes 16..23 are not what the follower needs next").isEmpty();
        assertThat(offsets(out.tasks(SnapshotTask.ChunkRead.class))).containsExactly(4L, 8L, 12L, 16L);
    }

    @Test
    void theRateBudgetCapsTheBytesAskedForPerTick() {
        // 2,000 bytes per second at 10 ms ticks: 20 bytes a tick (the start may send one whole chunk).
        senders = new SnapshotSenders(N1, config().snapshotInflightChunks(16).snapshotBytesPerSecond(2000).build(),
                out);
        SnapshotMetadata big = new SnapshotMetadata(30, 2, SNAP.membership(), 0, 1000, 1);
        senders.start(N2, 2, big, 0);
        assertThat(completeReads()).extracting(SnapshotTask.ChunkRead::length).containsExactly(4);
        assertThat(senders.budget()).isZero();
        long sent = 4;
        for (long now = 1; now <= 20; now++) {
            senders.tick(now);
            senders.onAck(new InstallSnapshotResponse(N2, N1, 2, 30, InstallSnapshotResponse.Status.CONTINUE,
                    senders.sender(N2).sent()), now);
            int bytes = completeReads().stream().mapToInt(SnapshotTask.ChunkRead::length).sum();
            assertThat(bytes).as("tick %d", now).isLessThanOrEqualTo(20);
            sent += bytes;
        }
        assertThat(sent).as("20 ticks at 20 bytes each, after the first chunk").isBetween(300L, 404L);
    }

    @Test
    void aReadOfASupersededTransferIsIgnored() {
        senders.start(N2, 2, SNAP, 0);
        List<SnapshotTask.ChunkRead> old = out.tasks(SnapshotTask.ChunkRead.class);
        out.clear();
        senders.start(N2, 2, NEWER, 1);
        assertThat(out.tasks(SnapshotTask.Ended.class)).singleElement()
                .satisfies(e -> assertThat(e.outcome()).isEqualTo("superseded"));
        old.forEach(r -> senders.onChunkRead(r, bytes(r)));
        assertThat(out.messages).isEmpty();
        assertThat(senders.onReadFailed(old.get(0))).as("a stale failure fails nothing").isNull();
        assertThat(senders.sender(N2).snapshot()).isEqualTo(NEWER);
    }

    @Test
    void leadershipLossEndsEveryTransferAndLaterReadsAreIgnored() {
        senders.start(N2, 2, SNAP, 0);
        senders.start(N3, 2, SNAP, 0);
        List<SnapshotTask.ChunkRead> reads = out.tasks(SnapshotTask.ChunkRead.class);
        senders.stopAll("superseded");
        assertThat(out.tasks(SnapshotTask.Ended.class)).extracting(SnapshotTask.Ended::peer, SnapshotTask.Ended::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(N2, "superseded"),
                        org.assertj.core.groups.Tuple.tuple(N3, "superseded"));
        reads.forEach(r -> senders.onChunkRead(r, bytes(r)));
        assertThat(out.messages).isEmpty();
        assertThat(senders.tick(1000)).isEmpty();
    }

    @Test
    void theFollowersVerdictEndsTheTransferAndAnswersAboutOtherSnapshotsAreIgnored() {
        senders.start(N2, 2, SNAP, 0);
        senders.onAck(new InstallSnapshotResponse(N2, N1, 2, NEWER.index(), InstallSnapshotResponse.Status.INSTALLED,
                50), 1);
        assertThat(senders.sender(N2)).isNotNull();
        senders.onAck(new InstallSnapshotResponse(N2, N1, 2, SNAP.index(), InstallSnapshotResponse.Status.INSTALLED,
                30), 1);
        assertThat(senders.sender(N2)).isNull();
        senders.start(N3, 2, SNAP, 0);
        senders.onAck(new InstallSnapshotResponse(N3, N1, 2, SNAP.index(), InstallSnapshotResponse.Status.REJECTED,
                0), 1);
        assertThat(out.tasks(SnapshotTask.Ended.class)).extracting(SnapshotTask.Ended::outcome)
                .containsExactly("installed", "rejected");
    }

    @Test
    void aFailedReadFailsItsTransfer() {
        senders.start(N2, 2, SNAP, 0);
        SnapshotTask.ChunkRead first = out.tasks(SnapshotTask.ChunkRead.class).get(0);
        assertThat(senders.onReadFailed(first)).isEqualTo(N2);
        assertThat(senders.sender(N2)).isNull();
        assertThat(out.tasks(SnapshotTask.Ended.class)).singleElement()
                .satisfies(e -> assertThat(e.outcome()).isEqualTo("failed"));
    }

    @Test
    void anEmptySnapshotIsSentAsOneEmptyLastChunk() {
        senders.start(N2, 2, new SnapshotMetadata(30, 2, SNAP.membership(), 0, 0, 0), 0);
        assertThat(completeReads()).extracting(SnapshotTask.ChunkRead::length).containsExactly(0);
        assertThat(out.messages(InstallSnapshotRequest.class)).singleElement()
                .satisfies(c -> assertThat(c.done()).isTrue());
    }
}
