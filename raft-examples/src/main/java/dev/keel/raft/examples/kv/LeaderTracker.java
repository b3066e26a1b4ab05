package dev.keel.raft.examples.kv;

import dev.keel.raft.RaftListener;
import dev.keel.raft.ServerStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Lets requests that found no usable leader wait for the next role or leader change instead of polling.
 *
 * <p>Thread-safe. Listener calls come from Keel's event loop, which must never run our retries: waiters are completed
 * on the timer thread.
 */
final class LeaderTracker implements RaftListener {
    private final ScheduledExecutorService timer;
    private List<CompletableFuture<Void>> waiters = new ArrayList<>();

    LeaderTracker(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** A future completing, on the timer thread, at the next state change or after {@code max}, whichever is first. */
    CompletableFuture<Void> nextChange(Duration max) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            waiters.add(f);
        }
        timer.schedule(() -> {
            synchronized (this) {
                waiters.remove(f);
            }
            f.complete(null);
        }, Math.max(1, max.toNanos()), TimeUnit.NANOSECONDS);
        return f;
    }

    @Override
    public void onStateChange(ServerStatus status) {
        List<CompletableFuture<Void>> ready;
        synchronized (this) {
            if (waiters.isEmpty()) {
                return;
            }
            ready = waiters;
            waiters = new ArrayList<>();
        }
        timer.execute(() -> ready.forEach(f -> f.complete(null)));
    }
}
