package dev.keel.raft.internal.runtime;

import dev.keel.raft.internal.runtime.SessionTable.Verdict;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The replicated session table: exactly once, in order, bounded, expiring by log time, surviving snapshots. */
class SessionTableTest {
    private static final RequestEntry.SessionLimits LIMITS = new RequestEntry.SessionLimits(10_000, 3, 4, 100);

    private final SessionTable table = new SessionTable();

    private void apply(long id, long seq, long ack, long index, byte[] result) {
        assertThat(table.check(id, seq, ack, 1000).verdict()).isEqualTo(Verdict.APPLY);
        table.record(id, seq, index, result);
    }

    @Test
    void aRetriedCommandGetsItsFirstResultAndIsNotAppliedAgain() {
        table.open(7, LIMITS, 1000);
        apply(7, 1, 0, 8, new byte[]{1});

        SessionTable.Check again = table.check(7, 1, 0, 1000);

        assertThat(again.verdict()).isEqualTo(Verdict.DUPLICATE);
        assertThat(again.cached().index()).isEqualTo(8);
        assertThat(again.cached().result()).containsExactly(1);
    }

    @Test
    void aCommandWhosePredecessorWasNotAppliedWaitsUnlessTheClientGaveUpOnIt() {
        table.open(7, LIMITS, 1000);
        apply(7, 1, 0, 8, new byte[]{1});

        assertThat(table.check(7, 3, 1, 1000).verdict()).as("2 is still pending").isEqualTo(Verdict.OUT_OF_ORDER);
        // The client gave up on 2 (acknowledged it without an answer): 3 goes, and 2 can never apply afterwards.
        apply(7, 3, 2, 9, new byte[]{3});
        assertThat(table.check(7, 2, 2, 1000).verdict()).isEqualTo(Verdict.BAD_SEQUENCE);
        assertThat(table.check(7, 2, 1, 1000).verdict()).isEqualTo(Verdict.BAD_SEQUENCE);
    }

    @Test
    void acknowledgedResultsAreDroppedAndTheirRetriesRefused() {
        table.open(7, LIMITS, 1000);
        apply(7, 1, 0, 8, new byte[]{1});
        apply(7, 2, 1, 9, new byte[]{2});

        assertThat(table.check(7, 1, 1, 1000).verdict()).isEqualTo(Verdict.BAD_SEQUENCE);
        assertThat(table.check(7, 2, 1, 1000).verdict()).isEqualTo(Verdict.DUPLICATE);
    }

    @Test
    void malformedSequencesAndUnknownSessionsAreRefused() {
        table.open(7, LIMITS, 1000);
        assertThat(table.check(7, 0, 0, 1000).verdict()).isEqualTo(Verdict.BAD_SEQUENCE);
        assertThat(table.check(7, 5, 5, 1000).verdict()).isEqualTo(Verdict.BAD_SEQUENCE);
        assertThat(table.check(7, 5, -1, 1000).verdict()).isEqualTo(Verdict.BAD_SEQUENCE);
        assertThat(table.check(8, 1, 0, 1000).verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(table.check(7, Long.MAX_VALUE, 0, 1000).verdict()).isEqualTo(Verdict.OUT_OF_ORDER);
    }

    @Test
    void aSessionKeepsAtMostMaxPendingResultsAndAboutMaxCachedBytes() {
        table.open(7, LIMITS, 1000);
        for (int seq = 1; seq <= 4; seq++) {
            apply(7, seq, 0, 10 + seq, new byte[]{(byte) seq});
        }
        assertThat(table.check(7, 5, 0, 1000).verdict()).as("4 unacknowledged results").isEqualTo(Verdict.FULL);
        apply(7, 5, 1, 20, new byte[90]);
        assertThat(table.check(7, 6, 1, 1000).verdict()).as("93 bytes cached, 4 results").isEqualTo(Verdict.FULL);
        assertThat(table.check(7, 6, 2, 1000).verdict()).as("3 results, 92 bytes").isEqualTo(Verdict.APPLY);
        table.record(7, 6, 21, new byte[20]);
        assertThat(table.check(7, 7, 2, 1000).verdict()).as("112 bytes").isEqualTo(Verdict.FULL);
        assertThat(table.check(7, 7, 5, 1000).verdict()).isEqualTo(Verdict.APPLY);
    }

    @Test
    void sessionsExpireByLogTimeAfterTheirTimeoutWithoutRequests() {
        table.open(1, LIMITS, 1000);
        table.open(2, LIMITS, 5000);
        table.keepAlive(1, 0, 9000);

        assertThat(table.expire(15_000)).isZero();
        assertThat(table.expire(15_001)).as("session 2 was idle since 5000").isEqualTo(1);
        assertThat(table.contains(1)).isTrue();
        assertThat(table.contains(2)).isFalse();
        assertThat(table.check(2, 1, 0, 15_001).verdict()).isEqualTo(Verdict.EXPIRED);
        assertThat(table.expire(19_001)).isEqualTo(1);
    }

    @Test
    void openingBeyondMaxSessionsFails() {
        assertThat(table.open(1, LIMITS, 0)).isTrue();
        assertThat(table.open(2, LIMITS, 0)).isTrue();
        assertThat(table.open(3, LIMITS, 0)).isTrue();
        assertThat(table.open(4, LIMITS, 0)).isFalse();
        table.close(2);
        assertThat(table.open(4, LIMITS, 0)).isTrue();
    }

    @Test
    void theTableSurvivesASnapshotAndAnswersRetriesAsBefore() throws IOException {
        table.open(7, LIMITS, 1000);
        apply(7, 1, 0, 8, new byte[]{1});
        apply(7, 2, 0, 9, new byte[]{2, 2});
        table.open(11, new RequestEntry.SessionLimits(500, 3, 2, 10), 1200);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotBody.writeHeader(out, new KeelState(4242, table.freeze()));
        out.write(new byte[]{42, 43});

        BufferedInputStream in = new BufferedInputStream(new ByteArrayInputStream(out.toByteArray()));
        KeelState read = SnapshotBody.readHeader(in);
        SessionTable restored = new SessionTable();
        restored.restore(read.sessions());

        assertThat(read.logTimeMillis()).isEqualTo(4242);
        assertThat(in.readAllBytes()).as("the state machine's bytes follow").containsExactly(42, 43);
        assertThat(restored.check(7, 2, 0, 1000).cached().result()).containsExactly(2, 2);
        assertThat(restored.check(7, 3, 0, 1000).verdict()).isEqualTo(Verdict.APPLY);
        assertThat(restored.expire(1701)).as("session 11 keeps its own 500 ms timeout").isEqualTo(1);
    }

    @Test
    void aSnapshotWithoutKeelsPartIsTheStateMachinesAloneAndANewerVersionIsRefused() throws IOException {
        BufferedInputStream legacy = new BufferedInputStream(new ByteArrayInputStream(new byte[]{1, 2, 3}));
        assertThat(SnapshotBody.readHeader(legacy)).isEqualTo(KeelState.INITIAL);
        assertThat(legacy.readAllBytes()).containsExactly(1, 2, 3);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotBody.writeHeader(out, KeelState.INITIAL);
        byte[] bytes = out.toByteArray();
        bytes[11] = 99; // version
        assertThatThrownBy(() -> SnapshotBody.readHeader(new BufferedInputStream(new ByteArrayInputStream(bytes))))
                .isInstanceOf(IOException.class).hasMessageContaining("version 99");
    }

    @Test
    void requestEntriesRoundTripAndACutOneIsRefused() {
        RequestEntry e = RequestEntry.decode(RequestEntry.sessionCommand(77, 5, 6, 4, new byte[]{9, 9}));
        assertThat(e.kind()).isEqualTo(RequestEntry.Kind.SESSION_COMMAND);
        assertThat(List.of(e.logTimeMillis(), e.sessionId(), e.sequence(), e.acknowledged()))
                .containsExactly(77L, 5L, 6L, 4L);
        assertThat(e.payload()).containsExactly(9, 9);
        assertThat(RequestEntry.decode(RequestEntry.openSession(1, LIMITS)).limits()).isEqualTo(LIMITS);
        byte[] cut = java.util.Arrays.copyOf(RequestEntry.keepAlive(1, 5, 4), 14);
        assertThatThrownBy(() -> RequestEntry.decode(cut)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cut short");
    }
}
