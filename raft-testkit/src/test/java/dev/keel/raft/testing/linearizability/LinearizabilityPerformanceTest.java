package dev.keel.raft.testing.linearizability;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large histories are decided well within a generous budget. The times are printed, not asserted: the assertion is
 * that the verdict is LINEARIZABLE rather than UNKNOWN, so a slow machine does not make the test flaky, while a
 * checker that could not cope would still fail it.
 */
class LinearizabilityPerformanceTest {
    private static final LinearizabilityChecker CHECKER = LinearizabilityChecker.builder()
            .timeBudget(Duration.ofSeconds(60)).build();

    private static CheckResult checkAndPrint(String name, RandomRegisterHistory.Params params) {
        RandomRegisterHistory.Generated g = RandomRegisterHistory.generate(20_000, params);
        History history = g.history(1);
        CheckResult warmUp = CHECKER.check(history);
        CheckResult result = CHECKER.check(history);
        CheckResult.Statistics s = result.statistics();
        System.out.printf("linearizability performance, %s: %s in %d ms (first run %d ms), %d operations on %d keys,"
                        + " %d searched, %d states visited%n", name, result.verdict(), s.elapsed().toMillis(),
                warmUp.statistics().elapsed().toMillis(), s.operations(), s.keys(), s.searched(), s.statesVisited());
        assertThat(warmUp.verdict()).as(warmUp.report()).isEqualTo(Verdict.LINEARIZABLE);
        assertThat(result.verdict()).as(result.report()).isEqualTo(Verdict.LINEARIZABLE);
        return result;
    }

    @Test
    void twentyThousandOperationsOnAHundredKeysWithTenClientsAreDecidedQuickly() {
        checkAndPrint("20,000 ops, 100 keys, 10 clients", new RandomRegisterHistory.Params(10, 100, 20_000, 0.5, 0.15,
                0.02, 0.02, 100, 20));
    }

    @Test
    void twentyThousandOperationsOnOneKeyWithTenClientsAreDecidedQuickly() {
        checkAndPrint("20,000 ops, 1 key, 10 clients", new RandomRegisterHistory.Params(10, 1, 20_000, 0.5, 0.15,
                0.02, 0.02, 100, 20));
    }
}
