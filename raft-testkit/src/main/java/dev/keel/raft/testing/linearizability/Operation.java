package dev.keel.raft.testing.linearizability;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One client operation on one register of a key-value store, as the client saw it: what it asked, when it asked,
 * when (and whether) it learnt the outcome, and what came back.
 *
 * <p>Times are plain {@code long}s in any unit and from any clock, as long as every operation of a history uses the
 * same one (virtual nanoseconds in the simulator, {@code System.nanoTime()} in a container test). Operation
 * {@code a} <em>precedes</em> {@code b} when {@code a} completed strictly before {@code b} was invoked
 * ({@code a.completedAt < b.invokedAt}); equal times count as concurrent.
 *
 * <p>Meaning of the fields by kind:
 * <ul>
 *   <li>{@link Kind#READ}: {@code value} is the value read (only meaningful when the outcome is {@code OK});</li>
 *   <li>{@link Kind#WRITE}: {@code value} is the value written;</li>
 *   <li>{@link Kind#CAS}: replace {@code expected} by {@code value}; {@code casSucceeded} says whether the swap took
 *       effect (only meaningful, and only allowed to be {@code true}, when the outcome is {@code OK}).</li>
 * </ul>
 * {@code expected} must be 0 for reads and writes.
 *
 * <p>Outcomes:
 * <ul>
 *   <li>{@link Outcome#OK}: the operation took effect exactly once, somewhere between its invocation and its
 *       completion, and its result is known. Requires a completion time.</li>
 *   <li>{@link Outcome#FAIL}: the operation certainly did not take effect (for example it was rejected by a
 *       follower). The checker ignores it.</li>
 *   <li>{@link Outcome#UNKNOWN}: the client does not know (it timed out, or the node died): the operation may take
 *       effect at any point after its invocation, even long after {@code completedAt}, or never. Its result is
 *       unknown. {@code completedAt}, if present, is when the client gave up and is not used by the checker.</li>
 * </ul>
 *
 * <p>Immutable; the constructor rejects inconsistent values with an {@link IllegalArgumentException} saying what is
 * wrong.
 *
 * @param client       the client that issued the operation (used in reports only; a client may have several
 *                     operations in flight)
 * @param key          the register, not empty
 * @param kind         READ, WRITE or CAS
 * @param value        the value read (READ), written (WRITE) or swapped in (CAS)
 * @param expected     for CAS, the value compared against; 0 otherwise
 * @param casSucceeded for a CAS with outcome OK, whether the swap took effect; {@code false} otherwise
 * @param invokedAt    when the client sent the operation
 * @param completedAt  when the client learnt the outcome; required for OK, optional otherwise
 * @param outcome      OK, FAIL or UNKNOWN
 */
public record Operation(int client, String key, Kind kind, long value, long expected, boolean casSucceeded,
                        long invokedAt, OptionalLong completedAt, Outcome outcome) {

    /** What an operation does to its register. */
    public enum Kind {
        /** Return the register's value. */
        READ,
        /** Set the register's value. */
        WRITE,
        /** Compare-and-set: if the register holds {@code expected}, set it to {@code value}. */
        CAS
    }

    /** What the client learnt about whether the operation took effect. */
    public enum Outcome {
        /** Took effect between invocation and completion; the result is known. */
        OK,
        /** Certainly did not take effect. */
        FAIL,
        /** May take effect at any time after invocation, or never; the result is unknown. */
        UNKNOWN
    }

    /** Validates the operation; see the class description for the rules. */
    public Operation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(completedAt, "completedAt (use OptionalLong.empty() when there is none)");
        Objects.requireNonNull(outcome, "outcome");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (completedAt.isPresent() && completedAt.getAsLong() < invokedAt) {
            throw new IllegalArgumentException("operation completed at " + completedAt.getAsLong()
                    + ", before it was invoked at " + invokedAt + ": " + describe(client, key, kind, value, expected));
        }
        if (outcome == Outcome.OK && completedAt.isEmpty()) {
            throw new IllegalArgumentException("an OK operation needs a completion time; an operation whose "
                    + "outcome the client never learnt is UNKNOWN: " + describe(client, key, kind, value, expected));
        }
        if (kind != Kind.CAS && expected != 0) {
            throw new IllegalArgumentException("expected is only meaningful for CAS and must be 0 for a " + kind
                    + ", not " + expected);
        }
        if (casSucceeded && (kind != Kind.CAS || outcome != Outcome.OK)) {
            throw new IllegalArgumentException("casSucceeded can only be true for a CAS whose outcome is OK, not for "
                    + "a " + kind + " with outcome " + outcome);
        }
    }

    /**
     * A completed read that returned {@code valueRead}.
     *
     * @throws IllegalArgumentException if {@code completedAt < invokedAt} or the key is empty
     */
    public static Operation read(int client, String key, long valueRead, long invokedAt, long completedAt) {
        return new Operation(client, key, Kind.READ, valueRead, 0, false, invokedAt, OptionalLong.of(completedAt),
                Outcome.OK);
    }

    /**
     * A completed write of {@code value}.
     *
     * @throws IllegalArgumentException if {@code completedAt < invokedAt} or the key is empty
     */
    public static Operation write(int client, String key, long value, long invokedAt, long completedAt) {
        return new Operation(client, key, Kind.WRITE, value, 0, false, invokedAt, OptionalLong.of(completedAt),
                Outcome.OK);
    }

    /**
     * A completed compare-and-set from {@code expected} to {@code newValue}; {@code succeeded} says whether the
     * register held {@code expected} and was changed.
     *
     * @throws IllegalArgumentException if {@code completedAt < invokedAt} or the key is empty
     */
    public static Operation cas(int client, String key, long expected, long newValue, boolean succeeded,
                                long invokedAt, long completedAt) {
        return new Operation(client, key, Kind.CAS, newValue, expected, succeeded, invokedAt,
                OptionalLong.of(completedAt), Outcome.OK);
    }

    /**
     * This operation with outcome UNKNOWN: it may take effect at any time after its invocation, or never. The
     * completion time, if any, is kept as the time the client gave up; a read's value and a CAS's result are
     * cleared, since they are not known.
     */
    public Operation asUnknown() {
        return new Operation(client, key, kind, kind == Kind.READ ? 0 : value, expected, false, invokedAt, completedAt,
                Outcome.UNKNOWN);
    }

    /** This operation with outcome FAIL: it certainly did not take effect; a read's value is cleared. */
    public Operation asFailed() {
        return new Operation(client, key, kind, kind == Kind.READ ? 0 : value, expected, false, invokedAt, completedAt,
                Outcome.FAIL);
    }

    /** This operation invoked at {@code invokedAt} and never completed (outcome UNKNOWN, no completion time). */
    public Operation asPending() {
        return new Operation(client, key, kind, kind == Kind.READ ? 0 : value, expected, false, invokedAt,
                OptionalLong.empty(), Outcome.UNKNOWN);
    }

    /** Whether the client knows the result of this operation. */
    public boolean isOk() {
        return outcome == Outcome.OK;
    }

    /**
     * One line such as {@code client 3 CAS x 5->6 = true [120 .. 180] OK}: what was asked, what came back, when, and
     * the outcome.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(describe(client, key, kind, value, expected));
        if (outcome == Outcome.OK) {
            if (kind == Kind.READ) {
                sb.append(" = ").append(value);
            } else if (kind == Kind.CAS) {
                sb.append(" = ").append(casSucceeded);
            }
        }
        sb.append(" [").append(invokedAt).append(" .. ");
        sb.append(completedAt.isPresent() ? Long.toString(completedAt.getAsLong()) : "");
        sb.append("] ").append(outcome);
        return sb.toString();
    }

    private static String describe(int client, String key, Kind kind, long value, long expected) {
        return switch (kind) {
            case READ -> "client " + client + " READ " + key;
            case WRITE -> "client " + client + " WRITE " + key + " " + value;
            case CAS -> "client " + client + " CAS " + key + " " + expected + "->" + value;
        };
    }
}
