package dev.keel.raft.statemachine;

import java.time.Instant;

/**
 * Where a command being applied stands in the replicated history: its log index and its <em>log time</em>.
 *
 * <h2>Log time</h2>
 * The leader that appends a command stamps it with its wall clock ({@code java.time.Clock} given to
 * {@code RaftServer.Builder.clock}, the system clock by default). That stamp is part of the log entry, so every
 * replica sees the same log time for the same index, whatever its own clock says: use it, never a local clock, for
 * anything time-dependent in {@link StateMachine#apply} (expiring keys, sessions, leases), and every replica expires the
 * same things at the same index.
 *
 * <p>Log time never goes backwards: a command stamped earlier than the one before it (a new leader whose clock is
 * behind the old one's) is given the previous log time instead. It stands still while no command is applied and
 * while a lagging leader's clock catches up. Its accuracy is that of the leaders' clocks: keep them synchronized
 * (NTP); a skew of a few seconds between servers shifts expiries by that much but can never make replicas disagree.
 * It is 0 for entries written before log time existed (and until the first stamped command).
 *
 * <p>Immutable. One instance per applied command; do not keep it beyond the call.
 */
public final class ApplyContext {
    private final long index;
    private final long logTimeMillis;

    private ApplyContext(long index, long logTimeMillis) {
        this.index = index;
        this.logTimeMillis = logTimeMillis;
    }

    /**
     * A context, for tests of a state machine and for adapters that call one.
     *
     * @throws IllegalArgumentException if index is below 1 or the log time is negative
     */
    public static ApplyContext of(long index, long logTimeMillis) {
        if (index < 1) {
            throw new IllegalArgumentException("index must be >= 1, was " + index);
        }
        if (logTimeMillis < 0) {
            throw new IllegalArgumentException("log time must be >= 0, was " + logTimeMillis);
        }
        return new ApplyContext(index, logTimeMillis);
    }

    /** The log index of the command, strictly increasing from one call to the next. */
    public long index() {
        return index;
    }

    /** The log time of the command in milliseconds since the epoch (see the class comment); never decreases. */
    public long logTimeMillis() {
        return logTimeMillis;
    }

    /** {@link #logTimeMillis()} as an instant. */
    public Instant logTime() {
        return Instant.ofEpochMilli(logTimeMillis);
    }

    @Override
    public String toString() {
        return "ApplyContext[index=" + index + ", logTime=" + logTime() + "]";
    }
}
