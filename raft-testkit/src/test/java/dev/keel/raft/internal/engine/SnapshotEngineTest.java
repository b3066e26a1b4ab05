package dev.keel.raft.internal.engine;

import dev.keel.raft.Role;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.testing.InMemoryLogStorage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static dev.keel.raft.internal.engine.EngineHarness.N1;
import static dev.keel.raft.internal.engine.EngineHarness.N2;
import static dev.keel.raft.internal.engine.EngineHarness.N3;
import static dev.keel.raft.internal.engine.EngineHarness.NO_PREVOTE;
import static dev.keel.raft.internal.engine.EngineHarness.data;
import static dev.keel.raft.internal.engine.EngineHarness.ids;
import static dev.keel.raft.internal.engine.EngineHarness.ofType;
import static dev.keel.raft.internal.engine.EngineHarness.storage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Log compaction and InstallSnapshot (Raft §7) in the engine. */
class SnapshotEngineTest {
    private static final dev.keel.raft.Membership THREE = EngineHarness.membership(ids(3));

    private static SnapshotMetadata snapshot(long index, long term) {
        return new SnapshotMetadata(index, term, THREE, 0, 10, 1234);
    }

    /** n1 leads a cluster whose log it has compacted up to {@code compactedTo}; n2 is empty and cut off. */
    private static EngineHarness leaderWithCompactedLog(long compactedTo) {
        EngineHarness h = EngineHarness.cluster(3, NO_PREVOTE);
        h.drop = m -> m.to().equals(N2) || m.from().equals(N2);
        h.campaign(N1);
        RaftEngine leader = h.get(N1);
        for (int i = 0; i < 20; i++) {
            leader.propose(data("c" + i));
        }
        h.deliverAll();
        assertThat(leader.log().commitIndex()).isEqualTo(21);
        leader.snapshotTaken(snapshot(compactedTo, 1));
        h.storages.get(N1).purgePrefix(compactedTo);
        assertThat(leader.log().firstIndex()).isEqualTo(compactedTo + 1);
        return h;
    }

    @Test
    void theLeaderSendsASnapshotToAFollowerThatNeedsCompactedEntries() {
        EngineHarness h = leaderWithCompactedLog(15);
        RaftEngine leader = h.get(N1);
        h.drop = m -> false;
        leader.tick();
        h.deliverAll();
        assertThat(h.chunkReads()).singleElement().satisfies(r -> {
            assertThat(r.peer()).isEqualTo(N2);
            assertThat(r.snapshot().index()).isEqualTo(15);
            assertThat(r.offset()).isZero();
            assertThat(r.length()).isEqualTo(10);
        });
        // The bytes come back from the runtime and leave as a message of the leader's term.
        leader.snapshotChunkRead(h.chunkReads().get(0), new byte[10]);
        assertThat(ofType(h.drain(N1), InstallSnapshotRequest.class)).singleElement().satisfies(c -> {
            assertThat(c.to()).isEqualTo(N2);
            assertThat(c.term()).isEqualTo(leader.term());
            assertThat(c.done()).isTrue();
        });
        // While the transfer runs, no AppendEntries go to that follower.
        leader.propose(data("more"));
        List<RaftMessage> sent = h.drain(N1);
        assertThat(ofType(sent, AppendEntriesRequest.class)).noneMatch(a -> a.to().equals(N2));
    }

    @Test
    void aLeaderThatStepsDownEndsItsTransfersAndSendsNothingMoreOfThem() {
        EngineHarness h = leaderWithCompactedLog(15);
        RaftEngine leader = h.get(N1);
        h.drop = m -> false;
        leader.tick();
        h.deliverAll();
        SnapshotTask.ChunkRead read = h.chunkReads().get(0);
        leader.step(new dev.keel.raft.message.Heartbeat(N3, N1, leader.term() + 1, 0, 0));
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        h.drain(N1);
        assertThat(h.snapshotTasks).last().isInstanceOfSatisfying(SnapshotTask.Ended.class, e -> {
            assertThat(e.transfer()).isEqualTo(read.transfer());
            assertThat(e.outcome()).isEqualTo("superseded");
        });
        leader.snapshotChunkRead(read, new byte[read.length()]);
        assertThat(ofType(h.drain(N1), InstallSnapshotRequest.class)).isEmpty();
    }

    @Test
    void aFollowerAcknowledgesAChunkOnceWrittenWithThePositionItWantsNext() {
        EngineHarness h = new EngineHarness();
        RaftEngine f = h.add(N2, ids(3), NO_PREVOTE, storage(1, 1, 1), 2);
        SnapshotMetadata snap = snapshot(30, 2);
        f.step(new InstallSnapshotRequest(N1, N2, 2, snap, 0, new byte[4], false));
        Ready rd = carryOut(f, h);
        assertThat(ofType(rd.persistBoundMessages(), InstallSnapshotResponse.class)).isEmpty();
        SnapshotTask.ChunkWrite write = (SnapshotTask.ChunkWrite) rd.snapshots().tasks().get(0);
        f.snapshotChunkWritten(write);
        rd = carryOut(f, h);
        assertThat(ofType(rd.persistBoundMessages(), InstallSnapshotResponse.class)).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(InstallSnapshotResponse.Status.CONTINUE);
            assertThat(r.position()).isEqualTo(4);
            assertThat(r.to()).isEqualTo(N1);
        });
        // The receive timeout runs on the engine's ticks: 4 maximum election timeouts without a chunk.
        for (int i = 0; i <= 4 * NO_PREVOTE.electionTimeoutMaxTicks(); i++) {
            f.tick();
        }
        h.drain(N2);
        assertThat(h.snapshotTasks).filteredOn(SnapshotTask.Ended.class::isInstance).singleElement()
                .satisfies(t -> assertThat(((SnapshotTask.Ended) t).outcome()).isEqualTo("abandoned"));
    }

    /** Takes one Ready and writes it to storage, as the runtime would. */
    private static Ready carryOut(RaftEngine e, EngineHarness h) {
        Ready rd = e.ready();
        EngineHarness.persist(h.storages.get(e.id()), rd);
        return rd;
    }

    @Test
    void onceTheFollowerInstalledTheSnapshotReplicationResumesAfterIt() {
        EngineHarness h = leaderWithCompactedLog(15);
        RaftEngine leader = h.get(N1);
        h.drop = m -> false;
        leader.tick();
        h.deliverAll();
        assertThat(h.chunkReads()).hasSize(1);
        leader.step(new InstallSnapshotResponse(N2, N1, leader.term(), 15, InstallSnapshotResponse.Status.INSTALLED,
                15));
        List<AppendEntriesRequest> appends = ofType(h.drain(N1), AppendEntriesRequest.class);
        assertThat(appends).filteredOn(a -> a.to().equals(N2)).first().satisfies(a -> {
            assertThat(a.prevLogIndex()).isEqualTo(15);
            assertThat(a.prevLogTerm()).isEqualTo(1);
        });
        assertThat(leader.matchIndexes().get(N2)).isEqualTo(15);
    }

    @Test
    void aRejectedOrFailedTransferIsRetriedAfterTheNextHeartbeatAnswer() {
        EngineHarness h = leaderWithCompactedLog(15);
        RaftEngine leader = h.get(N1);
        h.drop = m -> false;
        leader.tick();
        h.deliverAll();
        assertThat(h.chunkReads()).hasSize(1);
        leader.snapshotReadFailed(h.chunkReads().get(0));
        h.deliverAll();
        assertThat(h.snapshotTasks).last().isEqualTo(new SnapshotTask.Ended(h.chunkReads().get(0).transfer(), N2,
                h.chunkReads().get(0).snapshot(), true, 0, "failed"));
        assertThat(h.chunkReads()).as("no retry before the follower answers a heartbeat").hasSize(1);
        leader.step(new dev.keel.raft.message.HeartbeatResponse(N2, N1, leader.term(), 0, 0));
        h.deliverAll();
        assertThat(h.chunkReads()).hasSize(2);
        assertThat(h.chunkReads().get(1).transfer()).as("a new transfer").isNotEqualTo(h.chunkReads().get(0).transfer());
    }

    @Test
    void aFollowerHandsChunksToTheRuntimeAndInstallsTheVerifiedSnapshot() {
        EngineHarness h = new EngineHarness();
        RaftEngine f = h.add(N2, ids(3), NO_PREVOTE, storage(1, 1, 1), 2);
        SnapshotMetadata snap = snapshot(30, 2);
        InstallSnapshotRequest chunk = new InstallSnapshotRequest(N1, N2, 2, snap, 0, new byte[10], true);
        f.step(chunk);
        Ready rd = f.ready();
        assertThat(rd.snapshots().tasks()).singleElement().isInstanceOfSatisfying(SnapshotTask.ChunkWrite.class, w -> {
            assertThat(w.leader()).isEqualTo(N1);
            assertThat(w.snapshot()).isEqualTo(snap);
            assertThat(w.offset()).isZero();
            assertThat(w.data()).isSameAs(chunk.data());
            assertThat(w.last()).isTrue();
        });
        assertThat(f.leader()).isEqualTo(N1);

        f.snapshotStored((SnapshotTask.ChunkWrite) rd.snapshots().tasks().get(0), snap);
        rd = carryOut(f, h);
        assertThat(rd.logReset()).isTrue();
        assertThat(rd.firstIndex()).isEqualTo(31);
        assertThat(rd.snapshots().restore()).isEqualTo(snap);
        assertThat(rd.committedEntries()).isEmpty();
        // The leader hears of it only once the reset is durable.
        assertThat(rd.messages()).isEmpty();
        assertThat(ofType(rd.persistBoundMessages(), InstallSnapshotResponse.class)).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(InstallSnapshotResponse.Status.INSTALLED);
            assertThat(r.position()).isEqualTo(30);
        });
        assertThat(f.log().commitIndex()).isEqualTo(30);
        assertThat(f.log().lastIndex()).isEqualTo(30);
        assertThat(f.log().term(30)).isEqualTo(2);

        // The log continues right after the snapshot.
        f.step(new AppendEntriesRequest(N1, N2, 2, 30, 2, List.of(LogEntry.command(31, 2, data("x"))), 31));
        rd = carryOut(f, h);
        assertThat(rd.logReset()).isFalse();
        assertThat(rd.entries()).extracting(LogEntry::index).containsExactly(31L);
        assertThat(rd.committedEntries()).extracting(LogEntry::index).containsExactly(31L);
    }

    @Test
    void aFollowerWhoseLogAlreadyCoversTheSnapshotSkipsTheTransfer() {
        EngineHarness h = new EngineHarness();
        RaftEngine f = h.add(N2, ids(3), NO_PREVOTE, storage(2, 1, 1, 2, 2), 2);
        f.step(new InstallSnapshotRequest(N1, N2, 2, snapshot(3, 2), 0, new byte[10], true));
        Ready rd = f.ready();
        assertThat(rd.snapshots().tasks()).isEmpty();
        assertThat(f.log().commitIndex()).isEqualTo(3);
        assertThat(ofType(rd.persistBoundMessages(), InstallSnapshotResponse.class)).singleElement()
                .satisfies(r -> assertThat(r.position()).isEqualTo(3));
    }

    @Test
    void aStaleLeadersChunkIsRefusedWithTheCurrentTerm() {
        EngineHarness h = new EngineHarness();
        RaftEngine f = h.add(N2, ids(3), NO_PREVOTE, storage(5), 2);
        f.step(new InstallSnapshotRequest(N1, N2, 3, snapshot(30, 2), 0, new byte[10], true));
        Ready rd = f.ready();
        assertThat(rd.snapshots().tasks()).isEmpty();
        assertThat(ofType(rd.persistBoundMessages(), InstallSnapshotResponse.class)).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(InstallSnapshotResponse.Status.REJECTED);
            assertThat(r.term()).isEqualTo(5);
        });
    }

    @Test
    void aRestartedServerContinuesFromItsSnapshotAndTheLogAfterIt() {
        InMemoryLogStorage s = storage(3, 1, 1, 1, 1, 2, 3);
        s.purgePrefix(4);
        RaftEngine e = new RaftEngine(N1, THREE, NO_PREVOTE, s, snapshot(4, 1), new SplittableRandom(1));
        assertThat(e.log().firstIndex()).isEqualTo(5);
        assertThat(e.log().commitIndex()).isEqualTo(4);
        assertThat(e.log().term(4)).isEqualTo(1);
        assertThat(e.log().lastIndex()).isEqualTo(6);
        assertThat(e.ready().committedEntries()).isEmpty();
    }

    @Test
    void aRestartWithALogThatDoesNotContinueTheSnapshotResetsTheLog() {
        // A crash between installing a snapshot (at 10) and resetting the log left the old log (ends at 3).
        RaftEngine e = new RaftEngine(N1, THREE, NO_PREVOTE, storage(3, 1, 1, 1), snapshot(10, 2),
                new SplittableRandom(1));
        assertThat(e.log().lastIndex()).isEqualTo(10);
        Ready rd = e.ready();
        assertThat(rd.logReset()).isTrue();
        assertThat(rd.firstIndex()).isEqualTo(11);
    }

    @Test
    void aServerRefusesToStartWhenItsLogDoesNotReachBackToItsSnapshot() {
        InMemoryLogStorage s = storage(3, 1, 1, 1, 1, 1, 1, 1, 1);
        s.purgePrefix(6);
        assertThatThrownBy(() -> new RaftEngine(N1, THREE, NO_PREVOTE, s, null, new SplittableRandom(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("are missing");
        assertThatThrownBy(() -> new RaftEngine(N1, THREE, NO_PREVOTE, s, snapshot(3, 1), new SplittableRandom(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("entries 4..6 are missing");
    }

    @Test
    void aSnapshotOfUncommittedEntriesIsAnInvariantViolation() {
        EngineHarness h = EngineHarness.cluster(3, NO_PREVOTE);
        RaftEngine e = h.get(N3);
        assertThatThrownBy(() -> e.snapshotTaken(snapshot(5, 1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("uncommitted");
        assertThat(e.role()).isEqualTo(Role.FOLLOWER);
    }
}
