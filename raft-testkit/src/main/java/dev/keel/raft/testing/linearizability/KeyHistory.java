package dev.keel.raft.testing.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The operations on one key that can matter to linearizability, sorted by invocation, in flat arrays for the search.
 *
 * <p>Left out, because they cannot change the verdict:
 * <ul>
 *   <li>FAIL operations (they did not take effect);</li>
 *   <li>UNKNOWN reads (they change nothing and their result is unknown, so any placement, or none, will do);</li>
 *   <li>UNKNOWN writes and CASes whose value nobody observes: no OK read returns it, no CAS that did or may have
 *       swapped expects it, and no OK failed CAS that could still follow the operation expects a value the register
 *       can hold. Taking such an operation out of a valid linearization leaves it valid: until the next write, only
 *       failed CASes expecting other values can follow it, and they still fail on the value before it. Dropping them
 *       matters because every pending UNKNOWN operation otherwise multiplies the states the search may visit.</li>
 * </ul>
 * Not thread-safe to build; immutable afterwards.
 */
final class KeyHistory {
    /** Completion time of operations that may take effect at any time after their invocation. */
    static final long OPEN = Long.MAX_VALUE;

    final String key;
    final long initialValue;
    /** Every operation on the key as recorded, including the ones left out, for reports. */
    final List<Operation> recorded;
    /** The operations kept, sorted by invocation time, then completion time, then recording order. */
    final Operation[] ops;
    final long[] invokedAt;
    /** Completion time of OK operations; {@link #OPEN} for UNKNOWN ones. */
    final long[] completedAt;
    final int droppedFailed;
    final int droppedUnknownReads;
    final int droppedUnobserved;

    private KeyHistory(String key, long initialValue, List<Operation> recorded, List<Operation> kept,
                       int droppedFailed, int droppedUnknownReads, int droppedUnobserved) {
        this.key = key;
        this.initialValue = initialValue;
        this.recorded = List.copyOf(recorded);
        this.ops = kept.toArray(new Operation[0]);
        this.invokedAt = new long[ops.length];
        this.completedAt = new long[ops.length];
        for (int i = 0; i < ops.length; i++) {
            invokedAt[i] = ops[i].invokedAt();
            completedAt[i] = ops[i].isOk() ? ops[i].completedAt().getAsLong() : OPEN;
        }
        this.droppedFailed = droppedFailed;
        this.droppedUnknownReads = droppedUnknownReads;
        this.droppedUnobserved = droppedUnobserved;
    }

    /** Prepares the operations on {@code key} (all of {@code recorded} must be on that key). */
    static KeyHistory prepare(String key, long initialValue, List<Operation> recorded) {
        Set<Long> observed = new HashSet<>();
        Set<Long> writable = new HashSet<>();
        writable.add(initialValue);
        for (Operation op : recorded) {
            if (op.outcome() == Operation.Outcome.FAIL) {
                continue;
            }
            switch (op.kind()) {
                case READ -> {
                    if (op.isOk()) {
                        observed.add(op.value());
                    }
                }
                case WRITE -> writable.add(op.value());
                case CAS -> {
                    // A CAS that did, or may, swap needs its expected value to be there; a failed one does not.
                    if (!op.isOk() || op.casSucceeded()) {
                        observed.add(op.expected());
                    }
                    writable.add(op.value());
                }
            }
        }
        // Latest completion of an OK failed CAS whose expected value the register could hold: an unobserved write
        // invoked after it cannot be the reason it failed.
        long lastRelevantFailedCas = Long.MIN_VALUE;
        for (Operation op : recorded) {
            if (op.kind() == Operation.Kind.CAS && op.isOk() && !op.casSucceeded()
                    && writable.contains(op.expected())) {
                lastRelevantFailedCas = Math.max(lastRelevantFailedCas, op.completedAt().getAsLong());
            }
        }
        List<Operation> kept = new ArrayList<>(recorded.size());
        List<Integer> order = new ArrayList<>(recorded.size());
        int failed = 0;
        int unknownReads = 0;
        int unobserved = 0;
        for (int i = 0; i < recorded.size(); i++) {
            Operation op = recorded.get(i);
            if (op.outcome() == Operation.Outcome.FAIL) {
                failed++;
            } else if (op.outcome() == Operation.Outcome.UNKNOWN && op.kind() == Operation.Kind.READ) {
                unknownReads++;
            } else if (op.outcome() == Operation.Outcome.UNKNOWN && !observed.contains(op.value())
                    && lastRelevantFailedCas < op.invokedAt()) {
                unobserved++;
            } else {
                kept.add(op);
                order.add(i);
            }
        }
        List<Integer> index = new ArrayList<>();
        for (int i = 0; i < kept.size(); i++) {
            index.add(i);
        }
        index.sort(Comparator.<Integer>comparingLong(i -> kept.get(i).invokedAt())
                .thenComparingLong(i -> kept.get(i).isOk() ? kept.get(i).completedAt().getAsLong() : OPEN)
                .thenComparingInt(order::get));
        List<Operation> sorted = new ArrayList<>(kept.size());
        for (int i : index) {
            sorted.add(kept.get(i));
        }
        return new KeyHistory(key, initialValue, recorded, sorted, failed, unknownReads, unobserved);
    }

    int size() {
        return ops.length;
    }

    /** Indices 0..size-1: the whole prepared history. */
    int[] all() {
        int[] all = new int[ops.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }
}
