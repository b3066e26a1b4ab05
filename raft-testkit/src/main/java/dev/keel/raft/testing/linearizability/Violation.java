package dev.keel.raft.testing.linearizability;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Evidence that a key's history is not linearizable: a small window of its operations that cannot be ordered.
 *
 * <p>The window is a sound witness: if it cannot be linearized, neither can the history. It is read as follows.
 * The operations listed are those of {@code key} invoked up to {@code to}, leaving out reads and failed CASes that
 * are not needed to show the problem, and UNKNOWN operations whose values nobody in the window observes. A write or
 * successful CAS still in flight at {@code to} may or may not have taken effect by then. If {@code from} is present,
 * the operations that completed before {@code from} are left out, a write or successful CAS in flight at
 * {@code from} may have taken effect before it, and the register may hold any value at {@code from}; otherwise it
 * starts with its initial value.
 *
 * @param key                the register
 * @param from               where the window starts, or empty when it starts with the history
 * @param to                 where the window ends
 * @param operations         the operations of the window, as recorded, sorted by invocation time
 * @param related            operations outside the window that write a value read (or expected by a CAS) in the
 *                           window but written by none of its operations, as recorded (including failed ones)
 * @param unwrittenValues    values read (or expected by a successful CAS) in the window that no operation on the key
 *                           writes at all
 * @param initialValue       the key's initial value
 * @param keyOperationCount  how many operations on the key the history holds
 */
public record Violation(String key, OptionalLong from, long to, List<Operation> operations, List<Operation> related,
                        List<Long> unwrittenValues, long initialValue, int keyOperationCount) {

    /** Copies the lists. */
    public Violation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(from, "from");
        operations = List.copyOf(operations);
        related = List.copyOf(related);
        unwrittenValues = List.copyOf(unwrittenValues);
    }

    /** A readable, multi-line account of the violation. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append("key ").append(key).append(" is not linearizable (").append(keyOperationCount)
                .append(" operations on it). These ").append(operations.size()).append(" operations");
        if (from.isPresent()) {
            sb.append(", from time ").append(from.getAsLong());
        }
        sb.append(" up to time ").append(to)
                .append(", cannot be put in one order that respects their real-time order and explains every result");
        if (from.isPresent()) {
            sb.append(", whatever value ").append(key).append(" held at ").append(from.getAsLong());
        } else {
            sb.append(", starting from the initial value ").append(initialValue);
        }
        sb.append(":\n");
        for (Operation op : operations) {
            sb.append("  ").append(op);
            if (op.isOk() && op.completedAt().getAsLong() > to) {
                sb.append("   (completed after ").append(to).append(": may or may not have taken effect by then)");
            } else if (op.isOk() && from.isPresent() && op.invokedAt() < from.getAsLong()) {
                sb.append("   (in flight at ").append(from.getAsLong()).append(": may have taken effect before)");
            }
            sb.append('\n');
        }
        if (!related.isEmpty()) {
            sb.append("values the window reads (or a CAS expects) but does not write are written only by:\n");
            for (Operation op : related) {
                sb.append("  ").append(op).append('\n');
            }
        }
        for (long value : unwrittenValues) {
            sb.append("no operation on ").append(key).append(" writes ").append(value);
            sb.append(value == initialValue ? " (it is the initial value)\n" : "\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return report();
    }
}
