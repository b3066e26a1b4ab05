package dev.keel.raft.internal.runtime;

import dev.keel.raft.ClientSession;
import dev.keel.raft.Committed;
import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.RaftException;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.exception.SessionException;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardResponse.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of a session (thesis §6.3): numbers the commands, sends them (at most
 * {@code sessionMaxPending} at once, in order), retries each until it is answered or its deadline passes, tells the
 * cluster which answers it has (or has given up on), and keeps the session alive while idle. The replicated side is
 * {@link SessionTable}.
 *
 * <p>Thread-safe: public methods hand work to the event loop, where all state lives. Callers' futures complete on
 * {@link SessionHost#callbacks()}.
 */
final class SessionClient implements ClientSession {
    private static final Logger log = LoggerFactory.getLogger(SessionClient.class);
    /** Longest pause between retries of one command, in ticks (200 ms at the default tick). */
    private static final long MAX_BACKOFF_TICKS = 20;

    private final SessionHost host;
    private final long id;
    private final long keepAliveTicks;
    private final int maxPending;
    private final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    private volatile boolean refusing;

    // Event-loop state.
    private final TreeMap<Long, Call> calls = new TreeMap<>();
    private long nextSequence = 1;
    private long lastSentTick;
    private State state = State.OPEN;
    private LoopTimers.Timer keepAlive;

    private enum State { OPEN, CLOSING, CLOSED }

    /** One command until it is answered or given up on. */
    private static final class Call {
        final long sequence;
        final byte[] command;
        final CompletableFuture<Committed<byte[]>> future;
        LoopTimers.Timer deadline;
        LoopTimers.Timer retry;
        boolean inFlight;
        boolean mayHaveApplied;
        boolean afterEarlier;
        long backoff = 1;
        Reply lastFailure;

        Call(long sequence, byte[] command, CompletableFuture<Committed<byte[]>> future) {
            this.sequence = sequence;
            this.command = command;
            this.future = future;
        }
    }

    private SessionClient(SessionHost host, long id) {
        this.host = host;
        this.id = id;
        this.keepAliveTicks = Math.max(1, host.ticks(host.config().sessionTimeout()) / 3);
        this.maxPending = host.config().sessionMaxPending();
    }

    /**
     * Opens a session on the cluster, retrying until {@code RaftConfig.sessionDeadline}; on the event loop.
     *
     * @param opened completed with the session, on {@link SessionHost#callbacks()}
     */
    static void open(SessionHost host, CompletableFuture<ClientSession> opened) {
        new Opener(host, opened).attempt();
    }

    /** The attempts at opening one session. */
    private static final class Opener {
        private final SessionHost host;
        private final CompletableFuture<ClientSession> opened;
        private final long deadline;
        private long backoff = 1;
        private Reply lastFailure;

        Opener(SessionHost host, CompletableFuture<ClientSession> opened) {
            this.host = host;
            this.opened = opened;
            this.deadline = host.timers().now() + host.ticks(host.config().sessionDeadline());
        }

        void attempt() {
            host.route(new ClientRequest.OpenSession(), reply -> host.post(() -> onReply(reply)));
        }

        private void onReply(Reply r) {
            if (r.isOk()) {
                SessionClient s = new SessionClient(host, r.index());
                host.register(s);
                s.start();
                host.callbacks().execute(() -> opened.complete(s));
                return;
            }
            switch (r.outcome()) {
                case NOT_LEADER, BUSY, INDETERMINATE -> {
                    // A lost attempt may have opened a session nobody will use: it expires by itself.
                    lastFailure = r;
                    long now = host.timers().now();
                    if (now >= deadline) {
                        fail(host.exception(r));
                        return;
                    }
                    long wait = Math.min(backoff, deadline - now);
                    backoff = Math.min(backoff * 2, MAX_BACKOFF_TICKS);
                    waiting = true;
                    if (r.outcome() == Outcome.NOT_LEADER && !host.leaderKnown()) {
                        host.timers().after(Math.max(wait, MAX_BACKOFF_TICKS), this::resume);
                        host.onNextLeader(this::resume);
                    } else {
                        host.timers().after(wait, this::resume);
                    }
                }
                default -> fail(host.exception(r));
            }
        }

        private boolean waiting;

        /** The wait is over (a timer or a new leader, whichever first): the next attempt. */
        private void resume() {
            if (waiting) {
                waiting = false;
                attempt();
            }
        }

        private void fail(RaftException e) {
            host.callbacks().execute(() -> opened.completeExceptionally(e));
        }
    }

    private void start() {
        lastSentTick = host.timers().now();
        scheduleKeepAlive();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public CompletableFuture<byte[]> submit(byte[] command) {
        return submit(command, host.config().sessionDeadline());
    }

    @Override
    public CompletableFuture<byte[]> submit(byte[] command, Duration deadline) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        submitCommitted(command, deadline).whenComplete((c, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(c.result());
            }
        });
        return f;
    }

    @Override
    public CompletableFuture<Committed<byte[]>> submitCommitted(byte[] command, Duration deadline) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(deadline, "deadline");
        CompletableFuture<Committed<byte[]>> f = new CompletableFuture<>();
        if (refusing) {
            f.completeExceptionally(closedException());
            return f;
        }
        // The first tick comes within one interval, so N ticks can be as short as N - 1 intervals: one more keeps
        // the caller's deadline from ending early (a command given up on before its deadline is indeterminate
        // sooner than promised).
        long ticks = host.ticks(deadline) + 1;
        host.submit(() -> add(command, ticks, f), f::completeExceptionally);
        return f;
    }

    @Override
    public boolean isClosed() {
        return refusing;
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        refusing = true;
        host.post(() -> {
            if (state == State.OPEN) {
                state = State.CLOSING;
                closeIfIdle();
            }
        });
        return closeFuture;
    }

    @Override
    public String toString() {
        return "ClientSession[" + id + " on " + host.self() + "]";
    }

    // ---- event loop ---------------------------------------------------------------------------------------------

    private void add(byte[] command, long deadlineTicks, CompletableFuture<Committed<byte[]>> f) {
        if (state != State.OPEN) {
            complete(f, null, closedException());
            return;
        }
        Call c = new Call(nextSequence++, command, f);
        calls.put(c.sequence, c);
        c.deadline = host.timers().after(deadlineTicks, () -> abandon(c));
        pump();
    }

    /** Every command up to this one is answered or given up on: the cluster may forget their results. */
    private long acknowledged() {
        return calls.isEmpty() ? nextSequence - 1 : calls.firstKey() - 1;
    }

    /** Sends what may be sent: in sequence order, within the window, not already out or waiting to retry. */
    private void pump() {
        long limit = acknowledged() + maxPending;
        for (Call c : calls.values()) {
            if (c.sequence > limit) {
                break;
            }
            if (!c.inFlight && c.retry == null) {
                send(c);
            }
        }
    }

    private void send(Call c) {
        c.inFlight = true;
        lastSentTick = host.timers().now();
        host.route(new ClientRequest.SessionCommand(id, c.sequence, acknowledged(), c.command),
                reply -> host.post(() -> onReply(c, reply)));
    }

    private void onReply(Call c, Reply r) {
        c.inFlight = false;
        if (calls.get(c.sequence) != c) {
            return; // given up on meanwhile
        }
        switch (r.outcome()) {
            case OK -> finish(c, r);
            case SESSION_EXPIRED -> expire(r);
            case SESSION_OUT_OF_ORDER, SESSION_FULL -> {
                // An earlier command must be applied (or acknowledged) first: retry once one finishes.
                c.afterEarlier = true;
                retryLater(c, MAX_BACKOFF_TICKS);
            }
            case INDETERMINATE, TIMEOUT -> {
                c.mayHaveApplied = true;
                c.lastFailure = r;
                retryLater(c, nextBackoff(c));
            }
            case BUSY -> {
                c.lastFailure = r;
                retryLater(c, nextBackoff(c));
            }
            case NOT_LEADER -> {
                c.lastFailure = r;
                if (host.leaderKnown()) {
                    retryLater(c, 1);
                } else {
                    retryLater(c, MAX_BACKOFF_TICKS);
                    host.onNextLeader(() -> retryNow(c));
                }
            }
            case STOPPED -> stopped(host.exception(r));
            default -> {
                // Refused for good (a stranger, an unknown kind, a sequence the cluster cannot accept).
                c.lastFailure = r;
                giveUp(c, r, "the cluster refused it");
            }
        }
    }

    private long nextBackoff(Call c) {
        long b = c.backoff;
        c.backoff = Math.min(c.backoff * 2, MAX_BACKOFF_TICKS);
        return b;
    }

    private void retryLater(Call c, long ticks) {
        if (c.retry != null) {
            c.retry.cancel();
        }
        c.retry = host.timers().after(ticks, () -> retryNow(c));
    }

    private void retryNow(Call c) {
        if (calls.get(c.sequence) != c || c.retry == null) {
            return;
        }
        c.retry.cancel();
        c.retry = null;
        pump();
    }

    private void finish(Call c, Reply r) {
        remove(c);
        complete(c.future, new Committed<>(r.index(), r.result()), null);
        afterRemoval();
    }

    /** The deadline passed. */
    private void abandon(Call c) {
        if (calls.get(c.sequence) != c) {
            return;
        }
        giveUp(c, c.lastFailure, "no answer within its deadline");
    }

    private void giveUp(Call c, Reply last, String why) {
        remove(c);
        complete(c.future, null, failure(c, last, why));
        afterRemoval();
    }

    private RaftException failure(Call c, Reply last, String why) {
        RaftException cause = last == null ? null : host.exception(last);
        if (c.mayHaveApplied || c.inFlight) {
            return new IndeterminateOutcomeException("command " + c.sequence + " of session " + id + ": " + why
                    + "; it may or may not have been applied", cause);
        }
        if (cause != null) {
            return cause;
        }
        return new ServerBusyException("command " + c.sequence + " of session " + id + ": " + why
                + "; it was never sent: " + (c.sequence - acknowledged() - 1) + " earlier commands of the session "
                + "were still pending (sessionMaxPending " + maxPending + ")");
    }

    private void remove(Call c) {
        calls.remove(c.sequence);
        c.deadline.cancel();
        if (c.retry != null) {
            c.retry.cancel();
            c.retry = null;
        }
    }

    /** A command left: later ones refused as out of order may go now, and the window may have moved. */
    private void afterRemoval() {
        for (Call c : calls.values()) {
            if (c.afterEarlier && c.retry != null) {
                c.afterEarlier = false;
                c.retry.cancel();
                c.retry = null;
            }
        }
        pump();
        closeIfIdle();
    }

    /** The cluster no longer knows the session: everything pending fails, nothing more is accepted. */
    private void expire(Reply r) {
        log.info("{}: session {} has expired: {}", host.self(), id, r.detail());
        SessionException expired = new SessionException(SessionException.Reason.EXPIRED, "session " + id
                + " has expired: " + r.detail());
        failAll(c -> c.mayHaveApplied || c.inFlight
                ? new IndeterminateOutcomeException("command " + c.sequence + " of session " + id
                + " may have been applied before the session expired", expired)
                : expired);
        end();
    }

    /** This server is stopping. */
    void stopped(RaftException why) {
        failAll(c -> c.mayHaveApplied || c.inFlight
                ? new IndeterminateOutcomeException("command " + c.sequence + " of session " + id
                + ": the server stopped; it may or may not have been applied", why)
                : new ServerStoppedException(host.self() + " stopped before command " + c.sequence + " of session "
                + id + " was sent", why));
        end();
    }

    private void failAll(java.util.function.Function<Call, RaftException> why) {
        List<Call> all = new ArrayList<>(calls.values());
        for (Call c : all) {
            remove(c);
            complete(c.future, null, why.apply(c));
        }
    }

    private void end() {
        refusing = true;
        state = State.CLOSED;
        if (keepAlive != null) {
            keepAlive.cancel();
        }
        host.forget(this);
        host.callbacks().execute(() -> closeFuture.complete(null));
    }

    private void closeIfIdle() {
        if (state != State.CLOSING || !calls.isEmpty()) {
            return;
        }
        state = State.CLOSED;
        if (keepAlive != null) {
            keepAlive.cancel();
        }
        host.route(new ClientRequest.CloseSession(id), reply -> host.post(() -> {
            host.forget(this);
            host.callbacks().execute(() -> closeFuture.complete(null));
        }));
    }

    private void scheduleKeepAlive() {
        keepAlive = host.timers().after(keepAliveTicks, this::keepAlive);
    }

    /** Idle for a third of the timeout: tell the cluster the session is alive (and what it has acknowledged). */
    private void keepAlive() {
        if (state == State.CLOSED) {
            return;
        }
        if (host.timers().now() - lastSentTick >= keepAliveTicks) {
            lastSentTick = host.timers().now();
            host.route(new ClientRequest.KeepAlive(id, acknowledged()), reply -> host.post(() -> {
                if (reply.outcome() == Outcome.SESSION_EXPIRED && state != State.CLOSED) {
                    expire(reply);
                }
            }));
        }
        scheduleKeepAlive();
    }

    private SessionException closedException() {
        return new SessionException(SessionException.Reason.EXPIRED, "session " + id + " is closed or has expired");
    }

    private <T> void complete(CompletableFuture<T> f, T value, Throwable failure) {
        host.callbacks().execute(() -> {
            if (failure != null) {
                f.completeExceptionally(failure);
            } else {
                f.complete(value);
            }
        });
    }
}
