package dev.keel.raft.testing.linearizability;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.keel.raft.testing.linearizability.Operation.cas;
import static dev.keel.raft.testing.linearizability.Operation.read;
import static dev.keel.raft.testing.linearizability.Operation.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hand-written histories: ones that are linearizable must be accepted, the classic violations rejected with a small
 * window naming the operations at fault.
 */
class LinearizabilityCheckerTest {
    private static final LinearizabilityChecker CHECKER = LinearizabilityChecker.builder()
            .timeBudget(Duration.ofSeconds(20)).build();

    private static CheckResult check(Operation... ops) {
        return CHECKER.check(History.of(ops));
    }

    private static void assertLinearizable(Operation... ops) {
        CheckResult result = check(ops);
        assertThat(result.verdict()).as(result.report()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(result.violation()).isEmpty();
    }

    private static Violation assertViolation(Operation... ops) {
        CheckResult result = check(ops);
        assertThat(result.verdict()).as(result.report()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(result.violation()).isPresent();
        assertThatThrownBy(result::requireLinearizable).isInstanceOf(AssertionError.class)
                .hasMessageContaining("NOT_LINEARIZABLE");
        return result.violation().get();
    }

    @Nested
    class Accepted {
        @Test
        void emptyHistoryIsLinearizable() {
            CheckResult result = CHECKER.check(History.of());
            assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(result.requireLinearizable()).isSameAs(result);
        }

        @Test
        void sequentialWritesAndReadsAreLinearizable() {
            assertLinearizable(
                    read(1, "x", 0, 0, 5),
                    write(1, "x", 1, 10, 20),
                    read(2, "x", 1, 30, 40),
                    write(2, "x", 2, 50, 60),
                    read(1, "x", 2, 70, 80));
        }

        @ParameterizedTest(name = "final read sees {0}")
        @ValueSource(longs = {1, 2})
        void overlappingWritesMayTakeEffectInEitherOrder(long seen) {
            assertLinearizable(
                    write(1, "x", 1, 0, 100),
                    write(2, "x", 2, 10, 90),
                    read(3, "x", seen, 110, 120));
        }

        @ParameterizedTest(name = "concurrent read sees {0}")
        @ValueSource(longs = {1, 2})
        void aReadConcurrentWithAWriteMaySeeTheOldOrTheNewValue(long seen) {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    write(1, "x", 2, 20, 60),
                    read(2, "x", seen, 30, 40));
        }

        @Test
        void readsMaySeeANewValueBeforeTheWriteCompletesAndMustKeepSeeingIt() {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    write(1, "x", 2, 20, 100),
                    read(2, "x", 1, 25, 30),
                    read(2, "x", 2, 40, 50),
                    read(3, "x", 2, 60, 70));
        }

        @Test
        void operationsMeetingAtOneInstantAreConcurrent() {
            // write 1 completes at 10, exactly when write 2 is invoked: either may come first.
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    write(2, "x", 2, 10, 20),
                    read(3, "x", 1, 30, 40));
        }

        @Test
        void casSucceedsOnTheExpectedValueAndFailsOnAnother() {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    cas(1, "x", 1, 2, true, 20, 30),
                    cas(2, "x", 1, 3, false, 40, 50),
                    read(3, "x", 2, 60, 70));
        }

        @Test
        void concurrentCasesOnOneValueMayHaveOneWinner() {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    cas(1, "x", 1, 2, false, 20, 50),
                    cas(2, "x", 1, 3, true, 25, 45),
                    read(3, "x", 3, 60, 70));
        }

        @Test
        void unknownWriteMayTakeEffectLongAfterTheClientGaveUp() {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    write(2, "x", 2, 20, 30).asUnknown(),
                    read(3, "x", 1, 40, 50),
                    read(3, "x", 2, 60, 70));
        }

        @Test
        void unknownWriteMayNeverTakeEffect() {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    write(2, "x", 2, 20, 30).asUnknown(),
                    read(3, "x", 1, 40, 50),
                    read(3, "x", 1, 60, 70));
        }

        @Test
        void pendingCasMayTakeEffect() {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    cas(2, "x", 1, 2, false, 20, 20).asPending(),
                    read(3, "x", 2, 40, 50));
        }

        @Test
        void unknownWriteWhoseValueNobodyReadsIsHarmless() {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    write(2, "x", 2, 5, 6).asPending(),
                    write(2, "x", 3, 7, 8).asUnknown(),
                    read(3, "x", 1, 40, 50));
        }

        @Test
        void unknownWriteMayExplainAFailedCas() {
            // Without the UNKNOWN write of 9, the CAS from 1 would have succeeded.
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    write(2, "x", 9, 12, 14).asUnknown(),
                    cas(3, "x", 1, 5, false, 20, 30),
                    write(1, "x", 4, 40, 50),
                    read(3, "x", 4, 60, 70));
        }

        @Test
        void failedOperationsAreIgnored() {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    write(2, "x", 2, 20, 30).asFailed(),
                    cas(2, "x", 1, 3, false, 35, 38).asFailed(),
                    read(3, "x", 1, 40, 50));
        }

        @Test
        void keysAreIndependent() {
            assertLinearizable(
                    write(1, "x", 1, 0, 10),
                    write(2, "y", 2, 0, 10),
                    read(3, "x", 1, 20, 30),
                    read(3, "y", 2, 20, 30),
                    read(4, "z", 0, 20, 30));
        }

        @Test
        void initialValueIsConfigurablePerKey() {
            LinearizabilityChecker checker = LinearizabilityChecker.builder().initialValue(-1)
                    .initialValue("x", 42).build();
            History history = History.of(read(1, "x", 42, 0, 10), read(1, "y", -1, 0, 10));
            assertThat(checker.check(history).verdict()).isEqualTo(Verdict.LINEARIZABLE);
            assertThat(CHECKER.check(history).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        }
    }

    @Nested
    class Rejected {
        @Test
        void staleReadAfterACompletedWriteIsReportedWithTheOverwritingWrite() {
            Violation v = assertViolation(
                    write(1, "x", 1, 0, 10),
                    write(1, "x", 2, 20, 30),
                    read(2, "x", 1, 40, 50));
            assertThat(v.key()).isEqualTo("x");
            assertThat(v.operations()).containsExactly(write(1, "x", 2, 20, 30), read(2, "x", 1, 40, 50));
            assertThat(v.from()).hasValue(20);
            assertThat(v.to()).isEqualTo(50);
            assertThat(v.related()).containsExactly(write(1, "x", 1, 0, 10));
            assertThat(v.report()).contains("key x is not linearizable", "client 2 READ x = 1 [40 .. 50] OK",
                    "whatever value x held at 20");
        }

        @Test
        void lostAcknowledgedWriteIsRejected() {
            // Both writes were acknowledged, but later reads only ever see the first.
            Violation v = assertViolation(
                    write(1, "x", 1, 0, 10),
                    write(2, "x", 2, 20, 30),
                    read(3, "x", 1, 40, 50),
                    read(1, "x", 1, 60, 70),
                    read(2, "x", 1, 80, 90));
            assertThat(v.operations()).containsExactly(write(2, "x", 2, 20, 30), read(3, "x", 1, 40, 50));
        }

        @Test
        void readOfAValueNeverWrittenIsRejected() {
            Violation v = assertViolation(
                    write(1, "x", 1, 0, 10),
                    read(2, "x", 7, 5, 50));
            assertThat(v.operations()).contains(read(2, "x", 7, 5, 50)).hasSizeLessThanOrEqualTo(2);
            assertThat(v.unwrittenValues()).containsExactly(7L);
            assertThat(v.report()).contains("no operation on x writes 7");
        }

        @Test
        void readOfTheInitialValueAfterAWriteCompletedIsRejected() {
            assertViolation(
                    write(1, "x", 1, 0, 10),
                    read(2, "x", 0, 20, 30));
        }

        @Test
        void casSucceedingTwiceOnTheSameExpectedValueIsRejected() {
            Violation v = assertViolation(
                    write(1, "x", 1, 0, 10),
                    cas(1, "x", 1, 2, true, 20, 40),
                    cas(2, "x", 1, 3, true, 25, 35));
            assertThat(v.operations()).contains(cas(1, "x", 1, 2, true, 20, 40), cas(2, "x", 1, 3, true, 25, 35));
        }

        @Test
        void casFailingAlthoughTheValueMatchedIsRejected() {
            assertViolation(
                    write(1, "x", 1, 0, 10),
                    cas(2, "x", 1, 2, false, 20, 30));
        }

        @Test
        void readsGoingBackInTimeAreRejected() {
            Violation v = assertViolation(
                    write(1, "x", 1, 0, 10),
                    write(1, "x", 2, 20, 100),
                    read(2, "x", 2, 30, 40),
                    read(3, "x", 1, 50, 60));
            assertThat(v.operations()).contains(read(2, "x", 2, 30, 40), read(3, "x", 1, 50, 60));
        }

        @Test
        void readOfAFailedWritesValueIsRejected() {
            Violation v = assertViolation(
                    write(1, "x", 1, 0, 10),
                    write(1, "x", 2, 20, 30).asFailed(),
                    read(2, "x", 2, 40, 50));
            assertThat(v.related()).containsExactly(write(1, "x", 2, 20, 30).asFailed());
        }

        @Test
        void unknownWriteCannotTakeEffectBeforeItWasInvoked() {
            assertViolation(
                    read(1, "x", 2, 0, 10),
                    write(2, "x", 2, 20, 30).asUnknown());
        }

        @Test
        void touchingIntervalsAreConcurrentButStrictlyEarlierOnesAreNot() {
            assertViolation(
                    write(1, "x", 1, 0, 9),
                    write(2, "x", 2, 10, 20),
                    read(3, "x", 1, 30, 40));
        }

        @Test
        void everyFailingKeyIsNamedAndTheFirstIsReported() {
            CheckResult result = check(
                    write(1, "b", 1, 0, 10), read(1, "b", 5, 20, 30),
                    write(1, "a", 1, 0, 10), read(1, "a", 5, 20, 30),
                    write(1, "c", 1, 0, 10), read(1, "c", 1, 20, 30));
            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.failedKeys()).containsExactly("a", "b");
            assertThat(result.violation().get().key()).isEqualTo("a");
            assertThat(result.explanation()).contains("key a is not linearizable; so are b");
        }

        @Test
        void violationInTheMiddleOfALongHistoryIsShrunkToAFewOperations() {
            List<Operation> ops = new ArrayList<>();
            long t = 0;
            for (int i = 1; i <= 2000; i++) {
                ops.add(write(i % 5, "x", i, t, t + 15));
                // Each read overlaps the next write, so the history has no quiet point to cut at for free.
                ops.add(read((i + 1) % 5, "x", i == 1000 ? i - 1 : i, t + 16, t + 25));
                t += 20;
            }
            CheckResult result = CHECKER.check(History.of(ops));
            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            Violation v = result.violation().get();
            assertThat(v.operations()).hasSizeLessThanOrEqualTo(3).contains(read(1001 % 5, "x", 999, 19996, 20005));
            assertThat(v.keyOperationCount()).isEqualTo(4000);
        }
    }

    @Nested
    class Budget {
        /**
         * Thirty writes of different values and thirty reads, one of each value, all concurrent, then a read of the
         * initial value after they all completed. Every subset of the writes, with any of them last, is a state the
         * search reaches before the last read, and it must visit them all to reject the history.
         */
        private History exponential() {
            List<Operation> ops = new ArrayList<>();
            for (int i = 1; i <= 30; i++) {
                ops.add(write(i, "x", i, 0, 1000));
                ops.add(read(100 + i, "x", i, 0, 1000));
            }
            ops.add(read(200, "x", 0, 2000, 2010));
            return History.of(ops);
        }

        @Test
        void runningOutOfTimeGivesUnknownWhichIsNotAPass() {
            CheckResult result = LinearizabilityChecker.builder().timeBudget(Duration.ofMillis(200)).build()
                    .check(exponential());
            assertThat(result.verdict()).as(result.report()).isEqualTo(Verdict.UNKNOWN);
            assertThat(result.isLinearizable()).isFalse();
            assertThat(result.undecidedKeys()).containsExactly("x");
            assertThat(result.explanation()).contains("time budget of 200 ms ran out", "not a pass");
            assertThat(result.statistics().elapsed()).isLessThan(Duration.ofSeconds(10));
            assertThatThrownBy(result::requireLinearizable).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("UNKNOWN");
        }

        @Test
        void reachingTheMemoryLimitGivesUnknown() {
            CheckResult result = LinearizabilityChecker.builder().timeBudget(Duration.ofSeconds(60))
                    .memoryLimitBytes(4 << 20).build().check(exponential());
            assertThat(result.verdict()).as(result.report()).isEqualTo(Verdict.UNKNOWN);
            assertThat(result.explanation()).contains("memory limit of 4 MiB");
        }

        @Test
        void interruptedCheckGivesUnknown() {
            Thread.currentThread().interrupt();
            try {
                CheckResult result = CHECKER.check(History.of(write(1, "x", 1, 0, 10)));
                assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
                assertThat(result.explanation()).contains("interrupted");
            } finally {
                Thread.interrupted();
            }
        }

        @Test
        void violationFoundBeforeTheBudgetRanOutIsStillReported() {
            List<Operation> ops = new ArrayList<>(exponential().operations());
            ops.add(write(1, "a", 1, 0, 10));
            ops.add(read(1, "a", 7, 20, 30));
            CheckResult result = LinearizabilityChecker.builder().timeBudget(Duration.ofMillis(200)).build()
                    .check(History.of(ops));
            assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
            assertThat(result.failedKeys()).containsExactly("a");
            assertThat(result.undecidedKeys()).containsExactly("x");
        }

        @Test
        void withoutShrinkBudgetTheKeysHistoryUpToTheFailureIsReported() {
            List<Operation> ops = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                ops.add(write(1, "x", i, i * 100, i * 100 + 10));
            }
            ops.add(read(2, "x", 3, 2000, 2010));
            ops.add(write(1, "x", 11, 3000, 3010));
            CheckResult result = LinearizabilityChecker.builder().shrinkBudget(Duration.ZERO).build()
                    .check(History.of(ops));
            Violation v = result.violation().get();
            assertThat(v.operations()).hasSize(11).doesNotContain(write(1, "x", 11, 3000, 3010));
            assertThat(v.to()).isEqualTo(2010);
        }
    }
}
