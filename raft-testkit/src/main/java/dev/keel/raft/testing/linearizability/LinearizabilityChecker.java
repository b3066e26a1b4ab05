package dev.keel.raft.testing.linearizability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a recorded {@link History} of a key-value register store is linearizable: that every operation can be
 * given a single instant between its invocation and its completion at which it took effect, such that the
 * operations, applied in the order of those instants to registers that start with their initial values, return
 * exactly the recorded results.
 *
 * <h2>How</h2>
 * Registers are independent, so each key is checked on its own (linearizability is compositional, and the search
 * cost grows with the operations of one key, not of the history). Per key, the search of Wing and Gong with Lowe's
 * improvements explores the possible orders, remembering every (set of operations linearized, register value) pair
 * it has visited so it never explores one twice. Keys are checked in sorted order, on the calling thread; the same
 * history gives the same verdict and the same report every time (unless the budget runs out).
 *
 * <h2>Outcomes</h2>
 * {@code FAIL} operations are ignored. {@code UNKNOWN} operations are treated as invoked and never completed: they may
 * take effect at any instant after their invocation, or not at all; an UNKNOWN read is ignored, since it tells
 * nothing. UNKNOWN operations whose value nobody observes are dropped up front, and the others are only tried just
 * before an operation that needs them, so many pending UNKNOWN operations cost little.
 *
 * <h2>Assumptions</h2>
 * Every operation the clients issued is in the history, including the ones still in flight when recording stopped
 * (record those as UNKNOWN without a completion): a value read whose write is missing is reported as a violation.
 * The search is exponential in the worst case (many mutually concurrent operations on one key, in a history that
 * fails), which is what the budget is for.
 *
 * <h2>Budget</h2>
 * {@link Builder#timeBudget} bounds the wall-clock time to the verdict, over all keys; the search also stops if its
 * memo would exceed {@link Builder#memoryLimitBytes}, or if the thread is interrupted. The verdict is then
 * {@link Verdict#UNKNOWN} (unless some key was already found not linearizable), which callers must treat as a
 * failure. After a violation is found, shrinking it to a small window gets its own {@link Builder#shrinkBudget};
 * when that runs out the report shows the smallest window found so far.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * History history = History.of(
 *         Operation.write(1, "x", 5, 0, 10),
 *         Operation.read(2, "x", 5, 5, 15),
 *         Operation.cas(1, "x", 5, 6, true, 20, 30),
 *         Operation.write(3, "x", 7, 25, 40).asUnknown());
 * CheckResult result = LinearizabilityChecker.builder().timeBudget(Duration.ofSeconds(10)).build().check(history);
 * result.requireLinearizable(); // throws AssertionError with the report unless LINEARIZABLE
 * }</pre>
 *
 * <p>Immutable and thread-safe: one checker may check many histories, from several threads at once.
 */
public final class LinearizabilityChecker {
    private static final int MAX_RELATED = 20;

    private final Duration timeBudget;
    private final Duration shrinkBudget;
    private final long defaultInitialValue;
    private final Map<String, Long> initialValues;
    private final long memoryLimitBytes;

    private LinearizabilityChecker(Builder builder) {
        this.timeBudget = builder.timeBudget;
        this.shrinkBudget = builder.shrinkBudget;
        this.defaultInitialValue = builder.defaultInitialValue;
        this.initialValues = Map.copyOf(builder.initialValues);
        this.memoryLimitBytes = builder.memoryLimitBytes;
    }

    /** A builder with the defaults: 30 s to decide, 10 s to shrink, every key starting at 0. */
    public static Builder builder() {
        return new Builder();
    }

    /** The value {@code key} holds before any operation. */
    public long initialValue(String key) {
        return initialValues.getOrDefault(key, defaultInitialValue);
    }

    /**
     * Checks a history. Runs on the calling thread, for at most about the time budget (plus the shrink budget if a
     * violation is found).
     *
     * @return the verdict, with a small failing window if it is NOT_LINEARIZABLE
     */
    public CheckResult check(History history) {
        Objects.requireNonNull(history, "history");
        long start = System.nanoTime();
        Budget budget = new Budget(start + timeBudget.toNanos(), memoryLimitBytes);
        Map<String, List<Operation>> byKey = new TreeMap<>(history.byKey());
        List<String> failed = new ArrayList<>();
        List<String> undecided = new ArrayList<>();
        String undecidedWhy = null;
        KeyHistory firstFailure = null;
        long frontier = Long.MIN_VALUE;
        int searched = 0;
        long states = 0;
        for (Map.Entry<String, List<Operation>> entry : byKey.entrySet()) {
            String key = entry.getKey();
            if (budget.exhausted()) {
                undecided.add(key);
                if (undecidedWhy == null || !undecidedWhy.startsWith("the t")) {
                    undecidedWhy = outOfTime();
                }
                continue;
            }
            KeyHistory keyHistory = KeyHistory.prepare(key, initialValue(key), entry.getValue());
            searched += keyHistory.size();
            WglSearch.Result result = new WglSearch(keyHistory, keyHistory.all(), KeyHistory.OPEN,
                    WglSearch.FROM_START, budget).run();
            states += result.states();
            switch (result.status()) {
                case LINEARIZABLE -> {
                }
                case NOT_LINEARIZABLE -> {
                    failed.add(key);
                    if (firstFailure == null) {
                        firstFailure = keyHistory;
                        frontier = result.frontier();
                    }
                }
                case OUT_OF_TIME -> {
                    undecided.add(key);
                    undecidedWhy = outOfTime();
                }
                case OUT_OF_MEMORY -> {
                    undecided.add(key);
                    if (undecidedWhy == null) {
                        undecidedWhy = "the search on key " + key + " reached the memory limit of "
                                + (memoryLimitBytes >> 20) + " MiB";
                    }
                }
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        int keys = byKey.size();
        if (firstFailure == null) {
            CheckResult.Statistics stats = new CheckResult.Statistics(keys, history.size(), searched, states, elapsed,
                    Duration.ZERO);
            if (undecided.isEmpty()) {
                return new CheckResult(Verdict.LINEARIZABLE, Optional.empty(), failed, undecided,
                        "all " + keys + " keys are linearizable", stats);
            }
            return new CheckResult(Verdict.UNKNOWN, Optional.empty(), failed, undecided,
                    "undecided: " + undecidedWhy + " with " + undecided.size() + " of " + keys
                            + " keys undecided (first " + undecided.get(0) + "); the others are linearizable. "
                            + "This is not a pass", stats);
        }
        long shrinkStart = System.nanoTime();
        Violation violation = shrink(firstFailure, frontier);
        CheckResult.Statistics stats = new CheckResult.Statistics(keys, history.size(), searched, states, elapsed,
                Duration.ofNanos(System.nanoTime() - shrinkStart));
        String explanation = "key " + firstFailure.key + " is not linearizable"
                + (failed.size() > 1 ? "; so are " + String.join(", ", failed.subList(1, failed.size())) : "")
                + (undecided.isEmpty() ? "" : "; " + undecided.size() + " keys undecided (" + undecidedWhy + ")");
        return new CheckResult(Verdict.NOT_LINEARIZABLE, Optional.of(violation), failed, undecided, explanation,
                stats);
    }

    private String outOfTime() {
        return Thread.currentThread().isInterrupted() ? "the thread was interrupted"
                : "the time budget of " + timeBudget.toMillis() + " ms ran out";
    }

    private Violation shrink(KeyHistory history, long frontier) {
        Shrinker.Window window = new Shrinker(history, Budget.startingNow(shrinkBudget.toNanos(), memoryLimitBytes))
                .shrink(frontier);
        List<Operation> operations = new ArrayList<>();
        long lastCompletion = Long.MIN_VALUE;
        Set<Long> written = new LinkedHashSet<>();
        Set<Long> observed = new LinkedHashSet<>();
        for (int m : window.members()) {
            Operation op = history.ops[m];
            operations.add(op);
            boolean closed = history.completedAt[m] != KeyHistory.OPEN && history.completedAt[m] <= window.cut()
                    && history.invokedAt[m] >= window.from();
            if (closed) {
                lastCompletion = Math.max(lastCompletion, history.completedAt[m]);
            }
            switch (op.kind()) {
                case READ -> {
                    if (closed) {
                        observed.add(op.value());
                    }
                }
                case WRITE -> written.add(op.value());
                case CAS -> {
                    written.add(op.value());
                    if (closed && op.casSucceeded()) {
                        observed.add(op.expected());
                    }
                }
            }
        }
        long to = window.cut() != KeyHistory.OPEN ? window.cut() : lastCompletion;
        Map<Long, List<Operation>> writers = new HashMap<>();
        for (Operation op : history.recorded) {
            if (op.kind() != Operation.Kind.READ) {
                writers.computeIfAbsent(op.value(), v -> new ArrayList<>()).add(op);
            }
        }
        List<Operation> related = new ArrayList<>();
        List<Long> unwritten = new ArrayList<>();
        for (long value : observed) {
            if (written.contains(value)) {
                continue;
            }
            List<Operation> ws = writers.getOrDefault(value, List.of());
            if (ws.isEmpty()) {
                if (window.startsAnywhere() || value != history.initialValue) {
                    unwritten.add(value);
                }
            }
            for (Operation w : ws) {
                if (related.size() < MAX_RELATED && !related.contains(w)) {
                    related.add(w);
                }
            }
        }
        related.sort(Comparator.comparingLong(Operation::invokedAt));
        OptionalLong from = window.startsAnywhere() ? OptionalLong.of(window.from()) : OptionalLong.empty();
        return new Violation(history.key, from, to, operations, related, unwritten, history.initialValue,
                history.recorded.size());
    }

    /**
     * Builds a {@link LinearizabilityChecker}. Each setter validates its argument at once. Not thread-safe.
     */
    public static final class Builder {
        private Duration timeBudget = Duration.ofSeconds(30);
        private Duration shrinkBudget = Duration.ofSeconds(10);
        private long defaultInitialValue;
        private final Map<String, Long> initialValues = new HashMap<>();
        private long memoryLimitBytes = Runtime.getRuntime().maxMemory() / 2;

        private Builder() {
        }

        /**
         * How long {@link #check} may search before giving up with {@link Verdict#UNKNOWN}; default 30 s.
         *
         * @throws IllegalArgumentException unless positive
         */
        public Builder timeBudget(Duration budget) {
            Objects.requireNonNull(budget, "budget");
            if (budget.isNegative() || budget.isZero()) {
                throw new IllegalArgumentException("time budget must be positive, not " + budget);
            }
            this.timeBudget = budget;
            return this;
        }

        /**
         * How long shrinking a violation to a small window may take, after the verdict; default 10 s. Zero reports
         * the key's whole history up to the point where it failed.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder shrinkBudget(Duration budget) {
            Objects.requireNonNull(budget, "budget");
            if (budget.isNegative()) {
                throw new IllegalArgumentException("shrink budget must not be negative, not " + budget);
            }
            this.shrinkBudget = budget;
            return this;
        }

        /** The value every key holds before any operation, unless set per key; default 0. */
        public Builder initialValue(long value) {
            this.defaultInitialValue = value;
            return this;
        }

        /** The value {@code key} holds before any operation. */
        public Builder initialValue(String key, long value) {
            Objects.requireNonNull(key, "key");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("key must not be empty");
            }
            initialValues.put(key, value);
            return this;
        }

        /**
         * The most memory the search's memo may take for one key before the check gives up with
         * {@link Verdict#UNKNOWN}; default half the JVM's maximum heap.
         *
         * @throws IllegalArgumentException unless at least 1 MiB
         */
        public Builder memoryLimitBytes(long bytes) {
            if (bytes < (1 << 20)) {
                throw new IllegalArgumentException("memory limit must be at least 1 MiB (1048576), not " + bytes);
            }
            this.memoryLimitBytes = bytes;
            return this;
        }

        /** The checker. */
        public LinearizabilityChecker build() {
            return new LinearizabilityChecker(this);
        }
    }
}
