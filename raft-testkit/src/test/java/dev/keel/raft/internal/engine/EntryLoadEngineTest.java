package dev.keel.raft.internal.engine;

import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.testing.InMemoryLogStorage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.keel.raft.internal.engine.EngineHarness.N1;
import static dev.keel.raft.internal.engine.EngineHarness.N2;
import static dev.keel.raft.internal.engine.EngineHarness.N3;
import static dev.keel.raft.internal.engine.EngineHarness.NO_PREVOTE;
import static dev.keel.raft.internal.engine.EngineHarness.data;
import static dev.keel.raft.internal.engine.EngineHarness.ofType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leader does not read old log entries on its event loop: when the entries a lagging follower needs are only on
 * disk, it asks for them through its Ready and sends them once they are handed back, if they are still what the
 * follower needs.
 */
class EntryLoadEngineTest {

    /**
     * n1 leads; its storage keeps only the last 2 entries in memory. n3 missed entries 2..6 and the leader, probing
     * it again, has asked to load them.
     */
    private static EngineHarness leaderLoadingForLaggingFollower() {
        EngineHarness h = EngineHarness.cluster(3, NO_PREVOTE);
        h.storages.get(N1).cacheRecent(2);
        h.campaign(N1);
        h.drop = m -> m.to().equals(N3);
        RaftEngine leader = h.get(N1);
        for (int i = 0; i < 5; i++) {
            leader.propose(data("c" + i));
        }
        h.deliverAll();
        assertThat(leader.log().commitIndex()).isEqualTo(6);
        h.drop = m -> false;
        tickUntilLoad(h);
        return h;
    }

    private static void tickUntilLoad(EngineHarness h) {
        for (int i = 0; i < 100 && h.loads.isEmpty(); i++) {
            h.tickAll();
        }
        assertThat(h.loads).as("loads asked for").isNotEmpty();
    }

    private static List<LogEntry> read(EngineHarness h, EntryLoad load) {
        return h.storages.get(N1).entries(load.from(), load.to(), load.maxBytes());
    }

    private static List<AppendEntriesRequest> appendsTo(List<RaftMessage> messages) {
        List<AppendEntriesRequest> out = new ArrayList<>();
        for (AppendEntriesRequest a : ofType(messages, AppendEntriesRequest.class)) {
            if (a.to().equals(N3)) {
                out.add(a);
            }
        }
        return out;
    }

    @Test
    void entriesOnlyOnDiskAreLoadedOnceAndSentWhenTheyArrive() {
        EngineHarness h = leaderLoadingForLaggingFollower();
        RaftEngine leader = h.get(N1);
        EntryLoad load = h.loads.get(0);
        assertThat(load).isEqualTo(new EntryLoad(N3, leader.term(), 2, 7, NO_PREVOTE.maxEntriesBytesPerMessage()));

        List<RaftMessage> meanwhile = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            leader.tick();
            meanwhile.addAll(h.deliverAll());
        }
        assertThat(h.loads).as("one load while the follower waits for it").containsExactly(load);
        assertThat(appendsTo(meanwhile)).as("nothing sent to n3 until the entries arrive").isEmpty();

        leader.entriesLoaded(load, read(h, load));
        List<RaftMessage> sent = h.deliverAll();
        assertThat(appendsTo(sent)).first().satisfies(a -> {
            assertThat(a.prevLogIndex()).isEqualTo(1);
            assertThat(a.entries()).extracting(LogEntry::index).containsExactly(2L, 3L, 4L, 5L, 6L);
        });
        assertThat(h.log(N3)).isEqualTo(h.log(N1));
        assertThat(leader.matchIndexes()).containsEntry(N3, 6L);
    }

    @Test
    void entriesLoadedForAnEarlierTermAreDropped() {
        EngineHarness h = leaderLoadingForLaggingFollower();
        RaftEngine leader = h.get(N1);
        EntryLoad load = h.loads.get(0);
        // A newer term deposes n1 while the read is under way.
        leader.step(new AppendEntriesResponse(N2, N1, leader.term() + 1, false, 0, 0, 0));
        assertThat(leader.role()).isEqualTo(dev.keel.raft.Role.FOLLOWER);
        h.drain(N1);

        leader.entriesLoaded(load, read(h, load));
        assertThat(leader.hasReady()).isFalse();
        assertThat(appendsTo(h.drain(N1))).isEmpty();
    }

    @Test
    void entriesForAPositionTheFollowerHasLeftAreDroppedAndItsNewPositionIsLoaded() {
        EngineHarness h = EngineHarness.cluster(3, NO_PREVOTE);
        h.storages.get(N1).cacheRecent(2);
        h.campaign(N1);
        RaftEngine leader = h.get(N1);
        // n3 receives entries 2..3 but its acknowledgement is delayed; it then misses 4..6.
        List<RaftMessage> held = new ArrayList<>();
        h.drop = m -> {
            if (m instanceof AppendEntriesResponse r && m.from().equals(N3) && r.index() == 3) {
                held.add(m);
                return true;
            }
            return m instanceof AppendEntriesRequest a && a.to().equals(N3) && a.prevLogIndex() >= 3;
        };
        leader.propose(data("a"));
        leader.propose(data("b"));
        h.deliverAll();
        for (int i = 0; i < 3; i++) {
            leader.propose(data("c" + i));
        }
        h.deliverAll();
        assertThat(held).hasSize(1);
        h.drop = m -> false;
        tickUntilLoad(h);
        EntryLoad first = h.loads.get(0);
        assertThat(first.from()).as("probing from n3's known match").isEqualTo(2);

        // The delayed acknowledgement arrives: n3 holds up to 3, so the entries being read are no longer its next.
        leader.step(held.get(0));
        List<RaftMessage> sent = new ArrayList<>(h.drain(N1));
        leader.entriesLoaded(first, read(h, first));
        sent.addAll(h.drain(N1));
        assertThat(appendsTo(sent)).as("the stale entries are not sent").isEmpty();
        assertThat(h.loads).as("a load from n3's new position").hasSize(2);
        EntryLoad second = h.loads.get(1);
        assertThat(second.from()).isEqualTo(4);

        leader.entriesLoaded(second, read(h, second));
        h.deliverAll();
        assertThat(h.log(N3)).isEqualTo(h.log(N1));
    }

    @Test
    void entriesCompactedBeforeTheReadRanMakeTheLeaderSendTheSnapshot() {
        EngineHarness h = leaderLoadingForLaggingFollower();
        RaftEngine leader = h.get(N1);
        EntryLoad load = h.loads.get(0);
        InMemoryLogStorage storage = h.storages.get(N1);
        leader.snapshotTaken(new SnapshotMetadata(5, 1, leader.membership(), leader.membershipIndex(), 10, 1));
        storage.purgePrefix(5);

        // The read runs now and finds the entries gone, as a storage's reader thread would.
        assertThat(storage.entriesAsync(load.from(), load.to(), load.maxBytes()))
                .failsWithin(java.time.Duration.ofSeconds(30))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(IndexOutOfBoundsException.class);
        leader.entryLoadFailed(load);
        h.drain(N1);
        assertThat(h.chunkReads()).as("the snapshot's first chunk is read for N3").first().satisfies(r -> {
            assertThat(r.peer()).isEqualTo(N3);
            assertThat(r.snapshot().index()).isEqualTo(5);
            assertThat(r.offset()).isZero();
        });
        assertThat(h.loads).containsExactly(load);
    }

    @Test
    void aFailedLoadForEntriesStillInTheLogIsRetriedAfterTheNextHeartbeatAnswer() {
        EngineHarness h = leaderLoadingForLaggingFollower();
        RaftEngine leader = h.get(N1);
        EntryLoad load = h.loads.get(0);
        leader.entryLoadFailed(load);
        assertThat(h.drain(N1)).as("no retry at once").isEmpty();
        assertThat(h.loads).hasSize(1);
        leader.tick();
        h.deliverAll();
        assertThat(h.loads).as("asked again once n3 answered a heartbeat").hasSize(2);
        assertThat(h.loads.get(1).from()).isEqualTo(2);
        assertThat(h.loads.get(1).peer()).isEqualTo(N3);
    }
}
