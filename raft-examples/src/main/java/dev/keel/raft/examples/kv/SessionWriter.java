package dev.keel.raft.examples.kv;

import dev.keel.raft.ClientSession;
import dev.keel.raft.RaftServer;
import dev.keel.raft.exception.SessionException;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The writes of one client connection, through one Keel {@link ClientSession}: each takes effect exactly once and in
 * the order sent, retried by the session across leader changes and lost replies until the request timeout, so the
 * client sees {@code -INDETERMINATE} only when that passes while its write may have been applied. The session is
 * opened (on this node, which forwards to the leader) at the first write and closed with the connection; one that
 * expired while the connection sat idle is replaced by a new one for the writes it refused (they were not applied).
 *
 * <p>While the session is opening, or no leader is known, writes wait here, in order, up to {@code leaderWait} for a
 * leader; then they fail with {@code -TRYAGAIN} (nothing was sent).
 *
 * <p>Thread-safe: writes come from the connection's event loop, outcomes from Keel's threads.
 */
final class SessionWriter implements AutoCloseable {
    private final RaftServer raft;
    private final LeaderTracker tracker;
    private final long requestTimeoutNanos;
    private final long leaderWaitNanos;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private ClientSession session;
    private boolean opening;
    private boolean closed;

    /** A write and how long it may take. */
    private record Pending(byte[] command, long deadline, long leaderDeadline, CompletableFuture<byte[]> reply) {
    }

    SessionWriter(RaftServer raft, LeaderTracker tracker, Duration leaderWait, Duration requestTimeout) {
        this.raft = raft;
        this.tracker = tracker;
        this.leaderWaitNanos = leaderWait.toNanos();
        this.requestTimeoutNanos = requestTimeout.toNanos();
    }

    /** Replicates an encoded write; the reply is the state machine's, or a RESP error (the future never fails). */
    CompletableFuture<byte[]> write(byte[] command) {
        long now = System.nanoTime();
        Pending p = new Pending(command, now + requestTimeoutNanos, now + leaderWaitNanos, new CompletableFuture<>());
        sendOrQueue(p);
        return p.reply();
    }

    private synchronized void sendOrQueue(Pending p) {
        if (closed) {
            p.reply().complete(Errors.reply(new dev.keel.raft.exception.ServerStoppedException("the connection "
                    + "is closing")));
            return;
        }
        if (waiting.isEmpty() && session != null && !session.isClosed() && raft.status().leader() != null) {
            send(session, p);
            return;
        }
        waiting.add(p);
        proceed();
    }

    /** Moves the queue on: opens a session if there is none, waits for a leader if none is known, sends in order. */
    private synchronized void proceed() {
        if (waiting.isEmpty() || opening) {
            return;
        }
        if (session == null || session.isClosed()) {
            session = null;
            opening = true;
            raft.openSession().whenComplete(this::opened);
            return;
        }
        if (raft.status().leader() == null) {
            long now = System.nanoTime();
            while (!waiting.isEmpty() && now - waiting.peek().leaderDeadline() >= 0) {
                waiting.poll().reply().complete(Errors.NO_LEADER);
            }
            if (!waiting.isEmpty()) {
                long wait = Math.max(1, Math.min(waiting.peek().leaderDeadline() - now,
                        java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(200)));
                tracker.nextChange(Duration.ofNanos(wait)).thenRun(this::proceed);
            }
            return;
        }
        while (!waiting.isEmpty()) {
            send(session, waiting.poll());
        }
    }

    private synchronized void opened(ClientSession s, Throwable failure) {
        opening = false;
        if (failure != null) {
            // No leader within the wait (the session's open deadline is leaderWait), too many sessions, stopping.
            byte[] reply = Errors.reply(failure);
            while (!waiting.isEmpty()) {
                waiting.poll().reply().complete(reply);
            }
            return;
        }
        if (closed) {
            s.closeAsync();
            return;
        }
        session = s;
        proceed();
    }

    private void send(ClientSession s, Pending p) {
        long left = p.deadline() - System.nanoTime();
        if (left <= 0) {
            // Never sent: it waited its whole time for a session or a leader.
            p.reply().complete(Errors.NO_LEADER);
            return;
        }
        s.submit(p.command(), Duration.ofNanos(left)).whenComplete((reply, failure) -> {
            if (failure == null) {
                p.reply().complete(reply);
            } else if (Errors.unwrap(failure) instanceof SessionException e
                    && e.reason() == SessionException.Reason.EXPIRED && System.nanoTime() < p.deadline()) {
                // Refused, not applied: the session expired (the connection sat idle through a long outage).
                sendOrQueue(p);
            } else {
                p.reply().complete(Errors.reply(failure));
            }
        });
    }

    /** The connection closed: the session ends once its writes are done (the cluster then forgets it). */
    @Override
    public synchronized void close() {
        closed = true;
        if (session != null) {
            session.closeAsync();
        }
    }
}
