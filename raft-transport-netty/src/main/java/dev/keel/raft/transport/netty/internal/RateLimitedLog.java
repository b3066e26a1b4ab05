package dev.keel.raft.transport.netty.internal;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Logs at most one line per interval for one kind of trouble, and says how many were suppressed in between, so that
 * a peer sending garbage in a loop cannot flood the log. Thread-safe.
 */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAllowedNanos;
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedLog(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    RateLimitedLog(Logger log, Duration interval, LongSupplier nanoClock) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.nextAllowedNanos = new AtomicLong(nanoClock.getAsLong());
    }

    /** Logs {@code message} at WARN unless a line was logged less than an interval ago. */
    void warn(String message) {
        if (tryAcquire()) {
            log.warn(message + suppressedSuffix());
        } else {
            suppressed.incrementAndGet();
        }
    }

    /** Logs {@code message} with {@code cause}'s stack trace at WARN unless a line was logged less than an interval ago. */
    void warn(String message, Throwable cause) {
        if (tryAcquire()) {
            log.warn(message + suppressedSuffix(), cause);
        } else {
            suppressed.incrementAndGet();
        }
    }

    /** Logs {@code message} with {@code cause}'s stack trace at ERROR unless a line was logged less than an interval ago. */
    void error(String message, Throwable cause) {
        if (tryAcquire()) {
            log.error(message + suppressedSuffix(), cause);
        } else {
            suppressed.incrementAndGet();
        }
    }

    /** Logs {@code message} at INFO unless a line was logged less than an interval ago. */
    void info(String message) {
        if (tryAcquire()) {
            log.info(message + suppressedSuffix());
        } else {
            suppressed.incrementAndGet();
        }
    }

    private boolean tryAcquire() {
        long now = nanoClock.getAsLong();
        long next = nextAllowedNanos.get();
        return now - next >= 0 && nextAllowedNanos.compareAndSet(next, now + intervalNanos);
    }

    private String suppressedSuffix() {
        long n = suppressed.getAndSet(0);
        return n == 0 ? "" : " (" + n + " similar message(s) suppressed)";
    }
}
