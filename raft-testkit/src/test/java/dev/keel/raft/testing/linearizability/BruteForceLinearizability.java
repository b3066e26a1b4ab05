package dev.keel.raft.testing.linearizability;

import java.util.ArrayList;
import java.util.List;

/**
 * A test oracle straight from the definition, for tiny single-key histories: try every subset of the UNKNOWN
 * operations and every order of the chosen operations that respects real time, and run each order on a register.
 * Shares nothing with the checker: no event list, no memo, no dropping of operations; an UNKNOWN CAS that is chosen
 * runs as a CAS (it may or may not swap), an UNKNOWN read that is chosen may return anything.
 */
final class BruteForceLinearizability {
    private final List<Operation> ops = new ArrayList<>();
    private final long initial;

    BruteForceLinearizability(List<Operation> history, long initial) {
        for (Operation op : history) {
            if (op.outcome() != Operation.Outcome.FAIL) {
                ops.add(op);
            }
        }
        if (ops.size() > 12) {
            throw new IllegalArgumentException("brute force is for tiny histories, not " + ops.size());
        }
        this.initial = initial;
    }

    boolean linearizable() {
        int unknownMask = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).outcome() == Operation.Outcome.UNKNOWN) {
                unknownMask |= 1 << i;
            }
        }
        int okMask = ((1 << ops.size()) - 1) & ~unknownMask;
        // Every subset of the UNKNOWN operations, with all the OK ones.
        for (int sub = unknownMask; ; sub = (sub - 1) & unknownMask) {
            if (order(okMask | sub, 0, initial)) {
                return true;
            }
            if (sub == 0) {
                return false;
            }
        }
    }

    private boolean order(int chosen, int placed, long state) {
        if (placed == chosen) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            int bit = 1 << i;
            if ((chosen & bit) == 0 || (placed & bit) != 0 || !mayGoNext(i, chosen & ~placed)) {
                continue;
            }
            Operation op = ops.get(i);
            boolean ok = op.isOk();
            long after;
            switch (op.kind()) {
                case READ -> {
                    if (ok && state != op.value()) {
                        continue;
                    }
                    after = state;
                }
                case WRITE -> after = op.value();
                case CAS -> {
                    boolean swaps = state == op.expected();
                    if (ok && swaps != op.casSucceeded()) {
                        continue;
                    }
                    after = swaps ? op.value() : state;
                }
                default -> throw new IllegalStateException();
            }
            if (order(chosen, placed | bit, after)) {
                return true;
            }
        }
        return false;
    }

    /** Whether no other unplaced operation completed before {@code i} was invoked. */
    private boolean mayGoNext(int i, int unplaced) {
        long invoked = ops.get(i).invokedAt();
        for (int j = 0; j < ops.size(); j++) {
            if (j != i && (unplaced & (1 << j)) != 0) {
                Operation other = ops.get(j);
                if (other.isOk() && other.completedAt().getAsLong() < invoked) {
                    return false;
                }
            }
        }
        return true;
    }
}
