package dev.keel.raft.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} that only moves when told to. The simulator's virtual time is one of these. Not thread-safe.
 */
public final class ManualClock extends Clock {
    private long nanos;

    /** A clock at the epoch. */
    public ManualClock() {
        this(0);
    }

    /** A clock at {@code startNanos} after the epoch. */
    public ManualClock(long startNanos) {
        this.nanos = startNanos;
    }

    /** Nanoseconds since the epoch. */
    public long nanos() {
        return nanos;
    }

    /** Moves the clock forward. */
    public void advance(Duration d) {
        advanceTo(nanos + d.toNanos());
    }

    /**
     * Sets the clock to {@code newNanos}.
     *
     * @throws IllegalArgumentException if that is in the past: time never goes backwards
     */
    public void advanceTo(long newNanos) {
        if (newNanos < nanos) {
            throw new IllegalArgumentException("time cannot go backwards: " + newNanos + " < " + nanos);
        }
        nanos = newNanos;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("ManualClock is always UTC");
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochSecond(0, nanos);
    }

    @Override
    public long millis() {
        return nanos / 1_000_000;
    }
}
