package dev.keel.raft.examples.kv;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends requests that take longer than the request timeout. Every request gets the same timeout, so deadlines come in
 * the order requests started: a FIFO queue swept a few times a second finds every expired one in O(1) per request,
 * where a scheduled task per request would keep tens of thousands of them in the timer's heap at high request rates.
 *
 * <p>Thread-safe.
 */
final class RequestTimeouts implements AutoCloseable {
    private final long timeoutNanos;
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final ScheduledFuture<?> sweeper;

    private record Entry(long deadline, CompletableFuture<byte[]> result, byte[] timeoutReply) {
    }

    /**
     * @param timeoutNanos how long a request may take
     * @param timer        runs the sweep, every tenth of the timeout (at most every 250 ms, at least every 10 ms)
     */
    RequestTimeouts(long timeoutNanos, ScheduledExecutorService timer) {
        this.timeoutNanos = timeoutNanos;
        long period = Math.max(10, Math.min(250, TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 10));
        this.sweeper = timer.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /** Completes {@code result} with {@code timeoutReply} unless it completes within the timeout. */
    void watch(CompletableFuture<byte[]> result, byte[] timeoutReply) {
        if (!result.isDone()) {
            queue.add(new Entry(System.nanoTime() + timeoutNanos, result, timeoutReply));
        }
    }

    void sweep() {
        long now = System.nanoTime();
        Entry e;
        while ((e = queue.peek()) != null && (e.result.isDone() || now - e.deadline >= 0)) {
            queue.poll();
            e.result.complete(e.timeoutReply);
        }
    }

    @Override
    public void close() {
        sweeper.cancel(false);
    }
}
