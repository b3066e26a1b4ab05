package dev.keel.raft.transport.netty.internal;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter for reconnection: the n-th consecutive failure waits
 * {@code min * 2^(n-1)} capped at {@code max}, then scaled by a random factor in [0.5, 1] so that nodes that lost a
 * peer at the same moment do not all retry in lockstep. Immutable and thread-safe given a thread-safe random source.
 */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private final DoubleSupplier random;

    /**
     * @param random a source of doubles in [0, 1)
     */
    Backoff(Duration min, Duration max, DoubleSupplier random) {
        if (min.isNegative() || min.isZero() || min.compareTo(max) > 0) {
            throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + min + " and " + max);
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The wait after {@code failures} consecutive failures (at least 1). */
    long delayNanos(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be >= 1, was " + failures);
        }
        long ceiling = minNanos;
        // Doubling stops at the cap, which also keeps it from overflowing.
        for (int i = 1; i < failures && ceiling < maxNanos; i++) {
            ceiling = Math.min(maxNanos, ceiling * 2);
        }
        double factor = 0.5 + 0.5 * random.getAsDouble();
        return Math.max(1, (long) (ceiling * factor));
    }
}
