package dev.keel.raft.internal.read;

import dev.keel.raft.NodeId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The leader's ReadIndex bookkeeping (thesis §6.4): a read is served once a heartbeat round started after it arrived
 * has been answered by a quorum and its read index is committed; concurrent reads share rounds.
 */
class ReadIndexTrackerTest {
    private static final NodeId LEADER = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    private final ReadIndexTracker reads = new ReadIndexTracker(LEADER);

    private static List<Long> ids(List<PendingRead> rs) {
        return rs.stream().map(PendingRead::requestId).toList();
    }

    @Test
    void noRoundStartsWithoutAPendingRead() {
        assertThat(reads.startRoundIfNeeded()).isFalse();
        assertThat(reads.latestSeq()).isZero();
    }

    @Test
    void readsRegisteredBeforeARoundStartsShareThatOneRound() {
        reads.add(1, null, 5, 0);
        reads.add(2, B, 5, 0);
        reads.add(3, null, 6, 1);
        assertThat(reads.startRoundIfNeeded()).isTrue();
        assertThat(reads.latestSeq()).isEqualTo(1);
        assertThat(reads.startRoundIfNeeded()).as("nothing new to confirm").isFalse();
        assertThat(ids(reads.releaseConfirmed(6, 1))).containsExactly(1L, 2L, 3L);
        assertThat(reads.size()).isZero();
    }

    @Test
    void aReadArrivingDuringARoundWaitsForTheNextRoundEvenIfTheCurrentOneIsConfirmed() {
        reads.add(1, null, 5, 0);
        reads.startRoundIfNeeded();
        reads.add(2, null, 5, 1);
        assertThat(ids(reads.releaseConfirmed(5, 1))).as("round 1 began before read 2 arrived").containsExactly(1L);
        assertThat(reads.size()).isEqualTo(1);
        assertThat(reads.hasWaiting()).as("read 2 is not yet in a round").isFalse();
        reads.startRoundIfNeeded();
        assertThat(reads.latestSeq()).isEqualTo(2);
        assertThat(reads.releaseConfirmed(5, 1)).isEmpty();
        assertThat(ids(reads.releaseConfirmed(5, 2))).containsExactly(2L);
    }

    @Test
    void aReadIsReleasedOnlyOnceItsRoundIsConfirmedAndItsReadIndexIsCommitted() {
        reads.add(1, B, 7, 0);
        reads.startRoundIfNeeded();
        assertThat(reads.releaseConfirmed(7, 0)).as("round not confirmed").isEmpty();
        assertThat(reads.releaseConfirmed(6, 1)).as("read index not committed").isEmpty();
        List<PendingRead> released = reads.releaseConfirmed(7, 1);
        assertThat(released).containsExactly(new PendingRead(1, B, 7, 1, 0));
        assertThat(reads.hasWaiting()).isFalse();
    }

    @Test
    void confirmingALaterRoundConfirmsTheEarlierOnes() {
        reads.add(1, null, 3, 0);
        reads.startRoundIfNeeded();
        reads.add(2, null, 3, 0);
        reads.startRoundIfNeeded();
        assertThat(ids(reads.releaseConfirmed(3, 2))).containsExactly(1L, 2L);
    }

    @Test
    void readsAreReleasedInArrivalOrderEachAsSoonAsItsRoundAndReadIndexAllow() {
        reads.add(1, null, 4, 0);
        reads.add(2, null, 6, 0);
        reads.add(3, null, 6, 0);
        reads.startRoundIfNeeded();
        reads.add(4, null, 6, 1);
        reads.startRoundIfNeeded();
        assertThat(ids(reads.releaseConfirmed(5, 2))).containsExactly(1L);
        assertThat(ids(reads.releaseConfirmed(6, 1))).containsExactly(2L, 3L);
        assertThat(ids(reads.releaseConfirmed(6, 2))).containsExactly(4L);
    }

    @Test
    void theLeaderCountsAsHavingAnsweredEveryRoundItStarted() {
        assertThat(reads.ackedSeq(LEADER)).isZero();
        reads.add(1, null, 1, 0);
        reads.startRoundIfNeeded();
        assertThat(reads.ackedSeq(LEADER)).isEqualTo(1);
        assertThat(reads.ackedSeq(B)).isZero();
    }

    @Test
    void anAcknowledgementRecordsTheLatestRoundAFollowerAnswered() {
        reads.add(1, null, 1, 0);
        reads.startRoundIfNeeded();
        reads.add(2, null, 1, 0);
        reads.startRoundIfNeeded();
        reads.onAck(B, 2);
        reads.onAck(C, 1);
        assertThat(reads.ackedSeq(B)).isEqualTo(2);
        assertThat(reads.ackedSeq(C)).isEqualTo(1);
    }

    @Test
    void aDelayedAcknowledgementOfAnOlderRoundDoesNotLowerWhatAFollowerAnswered() {
        reads.add(1, null, 1, 0);
        reads.startRoundIfNeeded();
        reads.add(2, null, 1, 0);
        reads.startRoundIfNeeded();
        reads.onAck(B, 2);
        reads.onAck(B, 1);
        assertThat(reads.ackedSeq(B)).isEqualTo(2);
    }

    @Test
    void acknowledgementsOfRoundsNotYetStartedOrOfNoRoundAreIgnored() {
        reads.add(1, null, 1, 0);
        reads.startRoundIfNeeded();
        reads.onAck(B, 2);
        assertThat(reads.ackedSeq(B)).as("a round this leader never started").isZero();
        reads.onAck(B, -3);
        assertThat(reads.ackedSeq(B)).as("no round has a negative number").isZero();
        reads.onAck(C, 0);
        assertThat(reads.ackedSeq(C)).as("a plain heartbeat answer").isZero();
    }

    @Test
    void readsExpireByTheTickTheyArrivedAtWhetherOrNotTheirRoundStarted() {
        reads.add(1, null, 1, 10);
        reads.add(2, null, 1, 12);
        reads.startRoundIfNeeded();
        reads.add(3, null, 1, 12);
        reads.add(4, null, 1, 13);
        assertThat(reads.expire(9)).isEmpty();
        assertThat(ids(reads.expire(12))).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(reads.size()).isEqualTo(1);
        reads.startRoundIfNeeded();
        assertThat(ids(reads.releaseConfirmed(1, 2))).containsExactly(4L);
    }

    @Test
    void drainAllRemovesEveryPendingReadInArrivalOrder() {
        reads.add(1, null, 1, 0);
        reads.add(2, B, 1, 0);
        reads.startRoundIfNeeded();
        reads.add(3, C, 2, 1);
        assertThat(reads.size()).isEqualTo(3);
        assertThat(ids(reads.drainAll())).containsExactly(1L, 2L, 3L);
        assertThat(reads.size()).isZero();
        assertThat(reads.hasWaiting()).isFalse();
        assertThat(reads.startRoundIfNeeded()).isFalse();
        assertThat(reads.releaseConfirmed(99, 99)).isEmpty();
    }
}
