package dev.keel.raft.testing.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A server's wall clock in the simulation: virtual time since a fixed epoch, shifted by the server's own skew, so that
 * leaders disagree about the time by up to seconds (a new leader's clock may be behind its predecessor's), as real
 * servers do. What leaders stamp into the log (log time) comes from here.
 */
final class SimWallClock extends Clock {
    /** 2024-01-01T00:00:00Z: log times look like real ones. */
    static final long EPOCH_MILLIS = 1_704_067_200_000L;

    private final SimScheduler sim;
    private final long skewMillis;

    SimWallClock(SimScheduler sim, long skewMillis) {
        this.sim = sim;
        this.skewMillis = skewMillis;
    }

    @Override
    public long millis() {
        return EPOCH_MILLIS + sim.now() / 1_000_000L + skewMillis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a simulated clock has no zones");
    }
}
