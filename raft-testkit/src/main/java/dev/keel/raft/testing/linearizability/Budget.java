package dev.keel.raft.testing.linearizability;

/**
 * The limits one search works within: a wall-clock deadline and a cap on the memory of its state cache. A search
 * polls {@link #exhausted()} every few thousand steps; an interrupted thread counts as out of time, so a caller
 * can cancel a check. Immutable.
 */
final class Budget {
    private final long deadlineNanos;
    private final long memoryLimitBytes;

    Budget(long deadlineNanos, long memoryLimitBytes) {
        this.deadlineNanos = deadlineNanos;
        this.memoryLimitBytes = memoryLimitBytes;
    }

    /** A budget ending {@code nanos} from now. */
    static Budget startingNow(long nanos, long memoryLimitBytes) {
        return new Budget(System.nanoTime() + nanos, memoryLimitBytes);
    }

    boolean exhausted() {
        return System.nanoTime() - deadlineNanos > 0 || Thread.currentThread().isInterrupted();
    }

    long memoryLimitBytes() {
        return memoryLimitBytes;
    }
}
