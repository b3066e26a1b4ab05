package dev.keel.raft.testing.linearizability;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static dev.keel.raft.testing.linearizability.Operation.cas;
import static dev.keel.raft.testing.linearizability.Operation.read;
import static dev.keel.raft.testing.linearizability.Operation.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The history model and the checker's builder reject bad values at once, with a message saying what is wrong. */
class LinearizabilityHistoryModelTest {

    @Test
    void completionBeforeInvocationIsRejected() {
        assertThatThrownBy(() -> write(1, "x", 5, 100, 99))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("operation completed at 99, before it was invoked at 100: client 1 WRITE x 5");
    }

    @Test
    void completionAtTheInvocationInstantIsAccepted() {
        assertThat(read(1, "x", 0, 7, 7).completedAt()).hasValue(7);
    }

    @Test
    void okOperationWithoutCompletionIsRejected() {
        assertThatThrownBy(() -> new Operation(1, "x", Operation.Kind.WRITE, 5, 0, false, 10, OptionalLong.empty(),
                Operation.Outcome.OK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("an OK operation needs a completion time")
                .hasMessageContaining("UNKNOWN");
    }

    @Test
    void expectedValueOnANonCasIsRejected() {
        assertThatThrownBy(() -> new Operation(1, "x", Operation.Kind.WRITE, 5, 3, false, 10, OptionalLong.of(20),
                Operation.Outcome.OK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected is only meaningful for CAS and must be 0 for a WRITE, not 3");
    }

    @Test
    void casSuccessIsOnlyAllowedOnAnOkCas() {
        assertThatThrownBy(() -> new Operation(1, "x", Operation.Kind.CAS, 5, 3, true, 10, OptionalLong.of(20),
                Operation.Outcome.UNKNOWN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("casSucceeded can only be true for a CAS whose outcome is OK");
        assertThatThrownBy(() -> new Operation(1, "x", Operation.Kind.WRITE, 5, 0, true, 10, OptionalLong.of(20),
                Operation.Outcome.OK))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emptyOrMissingKeyIsRejected() {
        assertThatThrownBy(() -> write(1, "", 5, 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key must not be empty");
        assertThatThrownBy(() -> write(1, null, 5, 0, 1)).isInstanceOf(NullPointerException.class)
                .hasMessage("key");
    }

    @Test
    void unknownFailedAndPendingCopiesKeepWhatIsKnownAndDropTheResult() {
        Operation casOk = cas(2, "x", 1, 2, true, 10, 20);
        assertThat(casOk.asUnknown()).isEqualTo(new Operation(2, "x", Operation.Kind.CAS, 2, 1, false, 10,
                OptionalLong.of(20), Operation.Outcome.UNKNOWN));
        assertThat(casOk.asFailed().outcome()).isEqualTo(Operation.Outcome.FAIL);
        assertThat(casOk.asFailed().casSucceeded()).isFalse();
        assertThat(read(1, "x", 9, 0, 5).asUnknown().value()).isZero();
        Operation pending = write(1, "x", 4, 30, 40).asPending();
        assertThat(pending.completedAt()).isEmpty();
        assertThat(pending.outcome()).isEqualTo(Operation.Outcome.UNKNOWN);
        assertThat(pending.value()).isEqualTo(4);
    }

    @Test
    void operationsPrintWhatWasAskedWhatCameBackAndWhen() {
        assertThat(cas(3, "x", 5, 6, true, 120, 180)).hasToString("client 3 CAS x 5->6 = true [120 .. 180] OK");
        assertThat(read(1, "k", 7, 1, 2)).hasToString("client 1 READ k = 7 [1 .. 2] OK");
        assertThat(write(2, "k", 8, 3, 4).asPending()).hasToString("client 2 WRITE k 8 [3 .. ] UNKNOWN");
        assertThat(read(1, "k", 7, 1, 2).asFailed()).hasToString("client 1 READ k [1 .. 2] FAIL");
    }

    @Test
    void historyIsAnImmutableCopyGroupedByKey() {
        List<Operation> ops = new ArrayList<>(List.of(write(1, "b", 1, 10, 20), write(1, "a", 2, 0, 5),
                read(2, "b", 1, 30, 40)));
        History history = History.of(ops);
        ops.clear();
        assertThat(history.size()).isEqualTo(3);
        assertThat(history.keys()).containsExactly("a", "b");
        assertThat(history.forKey("b")).containsExactly(write(1, "b", 1, 10, 20), read(2, "b", 1, 30, 40));
        assertThatThrownBy(() -> history.operations().add(write(1, "c", 1, 0, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> History.of(write(1, "a", 1, 0, 1), null)).isInstanceOf(NullPointerException.class);
        assertThat(history.toString()).startsWith("history of 3 operations:\n  client 1 WRITE a 2 [0 .. 5] OK\n");
    }

    @Test
    void builderRejectsBadBudgetsAndLimits() {
        LinearizabilityChecker.Builder builder = LinearizabilityChecker.builder();
        assertThatThrownBy(() -> builder.timeBudget(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("time budget must be positive, not PT0S");
        assertThatThrownBy(() -> builder.shrinkBudget(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shrink budget must not be negative, not PT-1S");
        assertThatThrownBy(() -> builder.memoryLimitBytes(1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 MiB");
        assertThatThrownBy(() -> builder.initialValue("", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void initialValueDefaultsToZeroAndCanBeSetForAllKeysOrOne() {
        assertThat(LinearizabilityChecker.builder().build().initialValue("x")).isZero();
        LinearizabilityChecker checker = LinearizabilityChecker.builder().initialValue(Long.MIN_VALUE)
                .initialValue("x", 3).build();
        assertThat(checker.initialValue("x")).isEqualTo(3);
        assertThat(checker.initialValue("y")).isEqualTo(Long.MIN_VALUE);
    }
}
