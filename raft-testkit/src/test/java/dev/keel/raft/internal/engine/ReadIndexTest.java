package dev.keel.raft.internal.engine;

import dev.keel.raft.Role;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.ReadIndexRequest;
import dev.keel.raft.message.ReadIndexResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.keel.raft.internal.engine.EngineHarness.CONFIG;
import static dev.keel.raft.internal.engine.EngineHarness.N1;
import static dev.keel.raft.internal.engine.EngineHarness.N2;
import static dev.keel.raft.internal.engine.EngineHarness.N3;
import static dev.keel.raft.internal.engine.EngineHarness.data;
import static dev.keel.raft.internal.engine.EngineHarness.ofType;
import static org.assertj.core.api.Assertions.assertThat;

/** Linearizable reads by ReadIndex (thesis §6.4). */
class ReadIndexTest {

    private static EngineHarness settledCluster() {
        EngineHarness h = EngineHarness.cluster(3, CONFIG);
        h.campaign(N1);
        h.get(N1).tick();
        h.deliverAll();
        assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
        return h;
    }

    @Test
    void aReadIsConfirmedOnlyAfterAMajorityAnswersAHeartbeatRoundStartedAfterIt() {
        EngineHarness h = settledCluster();
        RaftEngine leader = h.get(N1);
        long commit = leader.log().commitIndex();
        leader.read(7);
        List<Heartbeat> round = ofType(h.drain(N1), Heartbeat.class);
        assertThat(round).hasSize(2);
        long seq = round.get(0).readSeq();
        assertThat(seq).isPositive();
        assertThat(h.readStates).isEmpty();
        // An answer to an older round does not confirm it.
        leader.step(new HeartbeatResponse(N2, N1, leader.term(), seq - 1, 0));
        h.drain(N1);
        assertThat(h.readStates).isEmpty();
        leader.step(new HeartbeatResponse(N2, N1, leader.term(), seq, 0));
        h.drain(N1);
        assertThat(h.readStates).containsExactly(new ReadState(7, commit));
    }

    @Test
    void concurrentReadsShareOneHeartbeatRound() {
        EngineHarness h = settledCluster();
        RaftEngine leader = h.get(N1);
        for (long id = 1; id <= 50; id++) {
            leader.read(id);
        }
        List<RaftMessage> sent = h.drain(N1);
        assertThat(ofType(sent, Heartbeat.class)).hasSize(2);
        for (RaftMessage m : sent) {
            h.get(m.to()).step(m);
        }
        h.deliverAll();
        assertThat(h.readStates).hasSize(50);
    }

    @Test
    void readsArrivingWhileARoundIsOutWaitForItAndShareTheNextRound() {
        EngineHarness h = settledCluster();
        RaftEngine leader = h.get(N1);
        long commit = leader.log().commitIndex();
        leader.read(1);
        long first = ofType(h.drain(N1), Heartbeat.class).get(0).readSeq();
        // While the first round is out, more reads start no round of their own.
        leader.read(2);
        leader.read(3);
        assertThat(ofType(h.drain(N1), Heartbeat.class)).isEmpty();
        // Once a majority answered the first round, read 1 is served and reads 2 and 3 share one new round: the
        // first round started before they arrived, so it cannot confirm them.
        leader.step(new HeartbeatResponse(N2, N1, leader.term(), first, 0));
        List<Heartbeat> next = ofType(h.drain(N1), Heartbeat.class);
        assertThat(h.readStates).containsExactly(new ReadState(1, commit));
        assertThat(next).hasSize(2);
        long second = next.get(0).readSeq();
        assertThat(second).isGreaterThan(first);
        leader.step(new HeartbeatResponse(N3, N1, leader.term(), second, 0));
        h.drain(N1);
        assertThat(h.readStates).containsExactly(new ReadState(1, commit), new ReadState(2, commit),
                new ReadState(3, commit));
    }

    @Test
    void aNewLeaderServesReadsOnlyOnceItsNoOpIsCommitted() {
        EngineHarness h = EngineHarness.cluster(3, CONFIG);
        RaftEngine n1 = h.get(N1);
        // Elect n1 but hold back every AppendEntries, so the no-op stays uncommitted.
        h.drop = m -> m instanceof dev.keel.raft.message.AppendEntriesRequest;
        h.campaign(N1);
        assertThat(n1.role()).isEqualTo(Role.LEADER);
        n1.read(1);
        h.deliverAll();
        assertThat(h.readStates).isEmpty();
        h.drop = m -> false;
        n1.tick();
        h.deliverAll();
        assertThat(h.readStates).singleElement().satisfies(rs -> {
            assertThat(rs.requestId()).isEqualTo(1);
            assertThat(rs.readIndex()).isEqualTo(n1.log().commitIndex());
        });
    }

    @Test
    void aFollowerGetsItsReadIndexFromTheLeader() {
        EngineHarness h = settledCluster();
        h.get(N1).propose(data("w"));
        h.deliverAll();
        RaftEngine follower = h.get(N2);
        follower.read(99);
        List<RaftMessage> delivered = h.deliverAll();
        assertThat(ofType(delivered, ReadIndexRequest.class)).singleElement()
                .satisfies(r -> assertThat(r.to()).isEqualTo(N1));
        assertThat(ofType(delivered, ReadIndexResponse.class)).singleElement()
                .satisfies(r -> assertThat(r.success()).isTrue());
        assertThat(h.readStates).containsExactly(new ReadState(99, h.get(N1).log().commitIndex()));
    }

    @Test
    void aFollowerWithoutALeaderFailsTheReadAtOnce() {
        EngineHarness h = EngineHarness.cluster(3, CONFIG);
        h.get(N3).read(5);
        h.drain(N3);
        assertThat(h.failedReads).containsExactly(5L);
    }

    @Test
    void readsFailWhenTheLeaderStepsDown() {
        EngineHarness h = settledCluster();
        RaftEngine leader = h.get(N1);
        h.drop = m -> true;
        leader.read(3);
        h.drain(N1);
        leader.step(new HeartbeatResponse(N2, N1, leader.term() + 1, 0, 0));
        h.drain(N1);
        assertThat(h.failedReads).containsExactly(3L);
        assertThat(h.readStates).isEmpty();
    }

    @Test
    void aForwardedReadTimesOutWhenTheLeaderNeverAnswers() {
        EngineHarness h = settledCluster();
        RaftEngine follower = h.get(N2);
        follower.read(4);
        h.drain(N2);
        for (int i = 0; i <= CONFIG.electionTimeoutMaxTicks(); i++) {
            follower.step(new Heartbeat(N1, N2, follower.term(), 0, 0));
            follower.tick();
        }
        h.drain(N2);
        assertThat(h.failedReads).containsExactly(4L);
    }
}
