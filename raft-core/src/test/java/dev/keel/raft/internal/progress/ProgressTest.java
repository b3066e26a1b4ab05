package dev.keel.raft.internal.progress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProgressTest {

    @Test
    void probeSendsOneMessageAtATime() {
        Progress p = new Progress(11, 4);
        assertThat(p.state()).isEqualTo(Progress.State.PROBE);
        assertThat(p.isPaused()).isFalse();
        p.onSent(12, true);
        assertThat(p.isPaused()).isTrue();
        p.onHeartbeatResponse();
        assertThat(p.isPaused()).as("a heartbeat answer lets the probe be resent").isFalse();
    }

    @Test
    void replicateStreamsUpToTheWindowAndAcknowledgementsFreeIt() {
        Progress p = new Progress(1, 3);
        p.onAccepted(0);
        p.becomeReplicate();
        p.onSent(5, true);
        p.onSent(10, true);
        p.onSent(15, true);
        assertThat(p.next()).isEqualTo(16);
        assertThat(p.isPaused()).isTrue();
        assertThat(p.onAccepted(10)).isTrue();
        assertThat(p.match()).isEqualTo(10);
        assertThat(p.isPaused()).isFalse();
    }

    @Test
    void aRejectionInReplicateFallsBackToProbeFromTheHint() {
        Progress p = new Progress(1, 8);
        p.onAccepted(5);
        p.becomeReplicate();
        p.onSent(20, true);
        assertThat(p.onRejected(5, 100)).as("stale: at or below match").isFalse();
        assertThat(p.onRejected(12, 9)).isTrue();
        assertThat(p.state()).isEqualTo(Progress.State.PROBE);
        assertThat(p.next()).isEqualTo(9);
    }

    @Test
    void aProbeRejectionForAnOlderProbeIsIgnoredAndTheNextIndexNeverPassesTheRejectedOne() {
        Progress p = new Progress(10, 8);
        p.onSent(10, true);
        assertThat(p.onRejected(7, 3)).as("answers an older probe").isFalse();
        assertThat(p.onRejected(9, 50)).isTrue();
        assertThat(p.next()).isEqualTo(9);
        assertThat(p.onRejected(8, 2)).isTrue();
        assertThat(p.next()).isEqualTo(2);
    }

    @Test
    void inFlightMessagesThatMakeNoProgressForTwoHeartbeatRoundsAreResentByProbing() {
        Progress p = new Progress(1, 8);
        p.onAccepted(3);
        p.becomeReplicate();
        p.onSent(10, true);
        p.onHeartbeatResponse();
        assertThat(p.state()).isEqualTo(Progress.State.REPLICATE);
        p.onHeartbeatResponse();
        p.onHeartbeatResponse();
        assertThat(p.state()).isEqualTo(Progress.State.PROBE);
        assertThat(p.next()).isEqualTo(4);
    }

    @Test
    void aStaleOrDuplicatedAcknowledgementDoesNotUnblockAProbe() {
        Progress p = new Progress(10, 8);
        p.onAccepted(9);
        p.onSent(10, true);
        assertThat(p.isPaused()).isTrue();
        assertThat(p.onAccepted(9)).isFalse();
        assertThat(p.onAccepted(5)).isFalse();
        assertThat(p.isPaused()).as("still waiting for the answer to the probe in flight").isTrue();
        assertThat(p.onAccepted(10)).isTrue();
        assertThat(p.isPaused()).isFalse();
    }

    @Test
    void inflightsRejectOverflowAndNonIncreasingIndexes() {
        Inflights in = new Inflights(2);
        in.add(3);
        assertThatThrownBy(() -> in.add(3)).isInstanceOf(IllegalStateException.class);
        in.add(5);
        assertThatThrownBy(() -> in.add(7)).isInstanceOf(IllegalStateException.class);
        in.freeTo(4);
        assertThat(in.count()).isEqualTo(1);
        in.add(7);
        assertThat(in.isFull()).isTrue();
    }
}
