package dev.keel.raft.testing.linearizability;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A second test oracle, for single-key histories of a few dozen operations: a plain depth-first search over
 * (operations taken, register value), memoised, straight from the definition, with none of the checker's machinery
 * (no event list, no dropping or merging of operations, no just-in-time or forced moves). An UNKNOWN operation may
 * be taken at any point after its invocation, or never; taken, a CAS runs as a CAS and a read returns anything.
 */
final class ReferenceLinearizability {
    private final List<Operation> ops = new ArrayList<>();
    private final long initial;
    private final Set<Object> failed = new HashSet<>();

    ReferenceLinearizability(List<Operation> history, long initial) {
        for (Operation op : history) {
            if (op.outcome() != Operation.Outcome.FAIL) {
                ops.add(op);
            }
        }
        this.initial = initial;
    }

    boolean linearizable() {
        return search(new BitSet(), initial);
    }

    private boolean search(BitSet taken, long state) {
        boolean allOkTaken = true;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).isOk() && !taken.get(i)) {
                allOkTaken = false;
                break;
            }
        }
        if (allOkTaken) {
            return true;
        }
        List<Object> key = List.of(taken.clone(), state);
        if (failed.contains(key)) {
            return false;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (taken.get(i) || !enabled(i, taken)) {
                continue;
            }
            Operation op = ops.get(i);
            long after;
            switch (op.kind()) {
                case READ -> {
                    if (op.isOk() && op.value() != state) {
                        continue;
                    }
                    after = state;
                }
                case WRITE -> after = op.value();
                case CAS -> {
                    boolean swaps = state == op.expected();
                    if (op.isOk() && swaps != op.casSucceeded()) {
                        continue;
                    }
                    after = swaps ? op.value() : state;
                }
                default -> throw new IllegalStateException();
            }
            taken.set(i);
            boolean ok = search(taken, after);
            taken.clear(i);
            if (ok) {
                return true;
            }
        }
        failed.add(key);
        return false;
    }

    /** Whether every OK operation that completed before {@code i} was invoked is taken. */
    private boolean enabled(int i, BitSet taken) {
        long invoked = ops.get(i).invokedAt();
        for (int j = 0; j < ops.size(); j++) {
            Operation other = ops.get(j);
            if (!taken.get(j) && other.isOk() && other.completedAt().getAsLong() < invoked) {
                return false;
            }
        }
        return true;
    }
}
