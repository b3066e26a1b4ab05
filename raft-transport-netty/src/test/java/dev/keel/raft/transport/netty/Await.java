package dev.keel.raft.transport.netty;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline; tests never sleep for a fixed time. */
final class Await {
    static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT, condition);
    }

    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                // Polling, not waiting a fixed time: the loop ends as soon as the condition holds.
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}
