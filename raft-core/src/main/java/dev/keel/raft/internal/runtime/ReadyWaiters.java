package dev.keel.raft.internal.runtime;

import dev.keel.raft.ServerStatus;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Callers waiting for this server to be ready ({@code RaftServer.whenReady}): a leader known, an entry of its term
 * known to be committed (its opening no-op: every entry committed before it is then known here too), and everything up
 * to there applied. Each waiter's target is the commit index when that first held after it asked.
 *
 * <p>Confined to the event loop; futures complete on the executor given.
 */
final class ReadyWaiters {
    private final List<Waiter> waiters = new ArrayList<>();
    private final Executor callbacks;

    private static final class Waiter {
        final CompletableFuture<ServerStatus> future;
        long target = -1;

        Waiter(CompletableFuture<ServerStatus> future) {
            this.future = future;
        }
    }

    ReadyWaiters(Executor callbacks) {
        this.callbacks = callbacks;
    }

    void add(CompletableFuture<ServerStatus> future) {
        waiters.add(new Waiter(future));
    }

    boolean isEmpty() {
        return waiters.isEmpty();
    }

    /**
     * After each batch and tick.
     *
     * @param leaderKnown       whether a leader is known
     * @param commitOfThisTerm  whether the commit index is an entry of the current term
     * @param commit            the commit index
     * @param applied           the applied index
     */
    void check(boolean leaderKnown, boolean commitOfThisTerm, long commit, long applied,
               Supplier<ServerStatus> status) {
        if (waiters.isEmpty() || !leaderKnown || !commitOfThisTerm) {
            return;
        }
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.future.isDone()) {
                it.remove(); // given up on (awaitLeader timed out)
                continue;
            }
            if (w.target < 0) {
                w.target = commit;
            }
            if (applied >= w.target) {
                it.remove();
                ServerStatus s = status.get();
                callbacks.execute(() -> w.future.complete(s));
            }
        }
    }

    /** The server stops. */
    void failAll(RuntimeException why) {
        waiters.forEach(w -> w.future.completeExceptionally(why));
        waiters.clear();
    }
}
