package dev.keel.raft.testing.linearizability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Generates linearizable histories: closed-loop clients issue operations with random think times and latencies;
 * each operation that takes effect gets a linearization point inside its interval (an UNKNOWN one possibly long
 * after the client gave up), and results come from applying the operations to real registers in that order.
 * Written values are unique (1, 2, 3, ...); every register starts at 0. Same seed, same history.
 */
final class RandomRegisterHistory {

    /**
     * Generation parameters.
     *
     * @param clients     concurrent clients
     * @param keys        registers
     * @param operations  operations in all
     * @param readShare   share of reads; the rest are writes and CASes
     * @param casShare    share of CASes
     * @param unknownRate share of operations whose outcome the client does not learn (half of them take effect)
     * @param failRate    share of operations that fail without taking effect
     * @param maxLatency  longest time from invocation to completion
     * @param maxThink    longest pause between a client's operations
     */
    record Params(int clients, int keys, int operations, double readShare, double casShare, double unknownRate,
                  double failRate, long maxLatency, long maxThink) {
    }

    /** A generated history, with its operations in generation order. */
    record Generated(long seed, Params params, List<Operation> operations) {
        History history(long shuffleSeed) {
            List<Operation> shuffled = new ArrayList<>(operations);
            Collections.shuffle(shuffled, new Random(shuffleSeed));
            return History.of(shuffled);
        }
    }

    private RandomRegisterHistory() {
    }

    static String key(int k) {
        return "k" + k;
    }

    static Generated generate(long seed, Params p) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] clock = new long[p.clients()];
        List<Draft> drafts = new ArrayList<>(p.operations());
        for (int i = 0; i < p.operations(); i++) {
            int c = 0;
            for (int j = 1; j < clock.length; j++) {
                if (clock[j] < clock[c]) {
                    c = j;
                }
            }
            Draft d = new Draft();
            d.index = i;
            d.client = c;
            d.key = random.nextInt(p.keys());
            double k = random.nextDouble();
            d.kind = k < p.readShare() ? Operation.Kind.READ
                    : k < p.readShare() + p.casShare() ? Operation.Kind.CAS : Operation.Kind.WRITE;
            d.invokedAt = clock[c] + random.nextLong(p.maxThink() + 1);
            long latency = 1 + random.nextLong(p.maxLatency());
            d.completedAt = d.invokedAt + latency;
            double fate = random.nextDouble();
            if (fate < p.failRate()) {
                d.outcome = Operation.Outcome.FAIL;
                d.point = d.invokedAt;
            } else if (fate < p.failRate() + p.unknownRate()) {
                d.outcome = Operation.Outcome.UNKNOWN;
                d.applied = random.nextBoolean();
                d.point = d.invokedAt + random.nextLong(3 * latency + 1);
            } else {
                d.outcome = Operation.Outcome.OK;
                d.applied = true;
                d.point = d.invokedAt + random.nextLong(latency + 1);
            }
            clock[c] = d.completedAt;
            drafts.add(d);
        }

        // Apply in linearization-point order: this order respects real time, so the history is linearizable.
        List<Draft> byPoint = new ArrayList<>(drafts);
        byPoint.sort(Comparator.comparingLong((Draft d) -> d.point).thenComparingInt(d -> d.index));
        long[] state = new long[p.keys()];
        List<List<Long>> written = new ArrayList<>();
        for (int k = 0; k < p.keys(); k++) {
            written.add(new ArrayList<>(List.of(0L)));
        }
        long counter = 0;
        long fresh = 0;
        for (Draft d : byPoint) {
            switch (d.kind) {
                case READ -> d.value = d.outcome == Operation.Outcome.OK ? state[d.key] : 0;
                case WRITE -> {
                    d.value = ++counter;
                    if (d.applied) {
                        state[d.key] = d.value;
                        written.get(d.key).add(d.value);
                    }
                }
                case CAS -> {
                    d.value = ++counter;
                    double e = random.nextDouble();
                    List<Long> seen = written.get(d.key);
                    d.expected = e < 0.5 ? state[d.key]
                            : e < 0.8 ? seen.get(random.nextInt(seen.size())) : -(++fresh);
                    boolean swapped = d.applied && state[d.key] == d.expected;
                    if (swapped) {
                        state[d.key] = d.value;
                        written.get(d.key).add(d.value);
                    }
                    d.casSucceeded = d.outcome == Operation.Outcome.OK && swapped;
                }
            }
        }
        List<Operation> operations = new ArrayList<>(drafts.size());
        for (Draft d : drafts) {
            Operation op = new Operation(d.client, key(d.key), d.kind, d.value, d.expected, d.casSucceeded,
                    d.invokedAt, java.util.OptionalLong.of(d.completedAt), Operation.Outcome.OK);
            operations.add(switch (d.outcome) {
                case OK -> op;
                case FAIL -> op.asFailed();
                case UNKNOWN -> random.nextInt(4) == 0 ? op.asPending() : op.asUnknown();
            });
        }
        return new Generated(seed, p, operations);
    }

    private static final class Draft {
        int index;
        int client;
        int key;
        Operation.Kind kind;
        long invokedAt;
        long completedAt;
        long point;
        Operation.Outcome outcome;
        boolean applied;
        long value;
        long expected;
        boolean casSucceeded;
    }
}
