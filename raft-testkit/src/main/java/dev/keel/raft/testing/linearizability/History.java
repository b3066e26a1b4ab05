package dev.keel.raft.testing.linearizability;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A recorded history: every operation that clients issued against a key-value register store, in any order (the
 * checker orders them by time). Immutable.
 *
 * <p>What the checker assumes about a history:
 * <ul>
 *   <li>all times come from one clock (see {@link Operation});</li>
 *   <li>every operation the clients issued is present, including those that failed or timed out: an operation left
 *       out cannot explain a value that it wrote;</li>
 *   <li>registers are independent: an operation touches exactly one key, and nothing else changes a key.</li>
 * </ul>
 * Every register starts with the checker's initial value, 0 unless configured otherwise
 * ({@link LinearizabilityChecker.Builder#initialValue(long)}, or per key): a read that finds a key absent should be
 * recorded as reading that value (a Redis client's nil as 0, say), and no write should use it if absence is to be
 * told apart from a written value. Values need not be unique, but histories where every write uses a fresh value
 * are checked faster and give sharper reports, since every read then names the write it saw.
 *
 * @param operations the operations, in the order given
 */
public record History(List<Operation> operations) {

    /** Copies the list; rejects {@code null} operations. */
    public History {
        operations = List.copyOf(operations);
    }

    /** A history of the given operations. */
    public static History of(Operation... operations) {
        return new History(Arrays.asList(operations));
    }

    /** A history of the given operations, in iteration order. */
    public static History of(Collection<Operation> operations) {
        return new History(new ArrayList<>(operations));
    }

    /** Number of operations. */
    public int size() {
        return operations.size();
    }

    /** The keys the history touches, sorted. */
    public List<String> keys() {
        TreeSet<String> keys = new TreeSet<>();
        for (Operation op : operations) {
            keys.add(op.key());
        }
        return List.copyOf(keys);
    }

    /** The operations on {@code key}, in the order given. */
    public List<Operation> forKey(String key) {
        Objects.requireNonNull(key, "key");
        List<Operation> ops = new ArrayList<>();
        for (Operation op : operations) {
            if (op.key().equals(key)) {
                ops.add(op);
            }
        }
        return ops;
    }

    /** The operations grouped by key, keys in first-appearance order, operations in the order given. */
    Map<String, List<Operation>> byKey() {
        Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (Operation op : operations) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        return byKey;
    }

    /** One operation per line, sorted by invocation time. */
    @Override
    public String toString() {
        List<Operation> sorted = new ArrayList<>(operations);
        sorted.sort((a, b) -> Long.compare(a.invokedAt(), b.invokedAt()));
        StringBuilder sb = new StringBuilder("history of ").append(sorted.size()).append(" operations:\n");
        for (Operation op : sorted) {
            sb.append("  ").append(op).append('\n');
        }
        return sb.toString();
    }
}
