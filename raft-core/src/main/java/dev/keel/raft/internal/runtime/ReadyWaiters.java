package dev.keel.raft.internal.runtime;

import dev.keel.raft.ServerStatus;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Callers waiting for this server to be ready ({@code RaftServer.whenReady}): a leader known, and everything the leader
 * had committed when it confirmed its leadership after the caller asked applied here. The confirmation is a ReadIndex
 * round (thesis §6.4), the same a linearizable read makes: its read index is the leader's commit index (at least its
 * opening entry) at a moment after the call. A leader's opening entry alone would not do: a member restarted in the
 * leader's term knows it as committed long before it knows what was committed after it.
 *
 * <p>At most one round is in flight; callers who ask while it is take the next one. A round that fails (the leader
 * changed, or its answer was lost) is started again once a leader is known.
 *
 * <p>Confined to the event loop; futures complete on the executor given.
 */
final class ReadyWaiters {
    private final List<Waiter> waiters = new ArrayList<>();
    private final Executor callbacks;
    /** The read-index round in flight for waiters, or 0. */
    private long round;

    private static final class Waiter {
        final CompletableFuture<ServerStatus> future;
        /** The round this waiter takes part in (0: none yet). */
        long round;
        /** The index it must see applied, once its round answered (-1 until then). */
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

    /** Whether a read-index round should start: none is in flight and someone still needs one. */
    boolean needsRound() {
        return round == 0 && waiters.stream().anyMatch(w -> w.round == 0 && !w.future.isDone());
    }

    /** A read-index round with id {@code id} started for every waiter that needed one. */
    void started(long id) {
        round = id;
        for (Waiter w : waiters) {
            if (w.round == 0) {
                w.round = id;
            }
        }
    }

    /**
     * The engine answered read {@code id}.
     *
     * @return whether it was this round (else it is someone else's read)
     */
    boolean answered(long id, long readIndex) {
        if (id == 0 || id != round) {
            return false;
        }
        round = 0;
        for (Waiter w : waiters) {
            if (w.round == id) {
                w.target = readIndex;
            }
        }
        return true;
    }

    /**
     * Read {@code id} failed (no leader could confirm it): its waiters wait for the next round.
     *
     * @return whether it was this round
     */
    boolean failed(long id) {
        if (id == 0 || id != round) {
            return false;
        }
        round = 0;
        for (Waiter w : waiters) {
            if (w.round == id) {
                w.round = 0;
            }
        }
        return true;
    }

    /**
     * Completes the waiters whose target is applied, while a leader is known (the status they get names it); after
     * each batch and tick.
     */
    void check(boolean leaderKnown, long applied, Supplier<ServerStatus> status) {
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.future.isDone()) {
                it.remove(); // given up on (awaitLeader timed out)
            } else if (leaderKnown && w.target >= 0 && applied >= w.target) {
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
        round = 0;
    }
}
