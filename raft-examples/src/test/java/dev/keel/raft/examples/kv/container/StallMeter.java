package dev.keel.raft.examples.kv.container;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures how long this JVM's threads went unscheduled: a daemon thread asks to wake every 10 ms and records the
 * worst lateness. On a machine so overloaded that the test itself stalls, the containers (on the same CPUs) stall
 * too, and a timing bound must allow for it.
 */
final class StallMeter implements AutoCloseable {
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Thread thread;
    private volatile boolean running = true;
    private volatile long worstNanos;

    StallMeter() {
        thread = new Thread(this::run, "stall-meter");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            long before = System.nanoTime();
            LockSupport.parkNanos(PERIOD_NANOS);
            long late = System.nanoTime() - before - PERIOD_NANOS;
            if (late > worstNanos) {
                worstNanos = late;
            }
        }
    }

    /** The longest this JVM's meter thread woke late, in ms. */
    long worstMillis() {
        return worstNanos / 1_000_000;
    }

    @Override
    public void close() {
        running = false;
    }
}
