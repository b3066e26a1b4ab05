package dev.keel.raft.testing.linearizability;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link LinearizabilityChecker#check} found.
 *
 * <p>Only {@link Verdict#LINEARIZABLE} is a pass. {@link Verdict#UNKNOWN} means the budget ran out first; use
 * {@link #requireLinearizable()} in tests so that it fails them.
 *
 * @param verdict       the answer
 * @param violation     for NOT_LINEARIZABLE, the evidence for the first failing key (keys in sorted order)
 * @param failedKeys    the keys found not linearizable, sorted
 * @param undecidedKeys the keys not decided within the budget, sorted
 * @param explanation   one line: what was decided, and for UNKNOWN why not
 * @param statistics    how much work the check did
 */
public record CheckResult(Verdict verdict, Optional<Violation> violation, List<String> failedKeys,
                          List<String> undecidedKeys, String explanation, Statistics statistics) {

    /**
     * How much work a check did.
     *
     * @param keys              keys in the history
     * @param operations        operations in the history
     * @param searched          operations the search considered (the others cannot change the verdict: failed
     *                          operations, UNKNOWN reads, UNKNOWN writes whose values nobody observed)
     * @param statesVisited     (linearized set, state) pairs visited, summed over keys
     * @param elapsed           wall-clock time to the verdict
     * @param shrinkElapsed     wall-clock time spent shrinking the violation, after the verdict
     */
    public record Statistics(int keys, int operations, int searched, long statesVisited, Duration elapsed,
                             Duration shrinkElapsed) {
    }

    /** Copies the lists. */
    public CheckResult {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(violation, "violation");
        failedKeys = List.copyOf(failedKeys);
        undecidedKeys = List.copyOf(undecidedKeys);
        Objects.requireNonNull(explanation, "explanation");
        Objects.requireNonNull(statistics, "statistics");
    }

    /** Whether the verdict is {@link Verdict#LINEARIZABLE}. */
    public boolean isLinearizable() {
        return verdict == Verdict.LINEARIZABLE;
    }

    /**
     * Returns normally only if the verdict is LINEARIZABLE.
     *
     * @throws AssertionError with {@link #report()} as its message, for NOT_LINEARIZABLE and for UNKNOWN
     */
    public CheckResult requireLinearizable() {
        if (!isLinearizable()) {
            throw new AssertionError(report());
        }
        return this;
    }

    /** A readable, multi-line report: the verdict, the explanation, statistics and any violation. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append("linearizability: ").append(verdict).append(" - ").append(explanation).append('\n');
        sb.append(String.format("  %d operations on %d keys, %d searched, %d states visited, %d ms%n",
                statistics.operations(), statistics.keys(), statistics.searched(), statistics.statesVisited(),
                statistics.elapsed().toMillis()));
        violation.ifPresent(v -> sb.append(v.report().indent(2)));
        return sb.toString();
    }

    @Override
    public String toString() {
        return report();
    }
}
