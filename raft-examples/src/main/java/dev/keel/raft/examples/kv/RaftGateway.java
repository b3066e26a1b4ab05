package dev.keel.raft.examples.kv;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftServer;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.examples.kv.forward.ForwardResult;
import dev.keel.raft.examples.kv.forward.Forwarder;
import dev.keel.raft.log.SnapshotMetadata;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs KV commands against Raft from any node: writes are submitted here if this node leads, forwarded to the leader
 * otherwise; reads are linearizable reads on this node (ReadIndex, which Keel serves on followers too). While no
 * leader is known, a request waits for one up to {@code leaderWait}, then fails with {@code -TRYAGAIN no leader}.
 *
 * <p>Thread-safe. Futures complete on Keel's applier thread, the forwarding event loops or the timer thread; callers
 * must hand heavy work elsewhere. They never complete exceptionally: failures are RESP error replies.
 */
public final class RaftGateway {
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final RaftServer raft;
    private final Forwarder forwarder;
    private final LeaderTracker tracker;
    private final long leaderWaitNanos;
    private final RequestTimeouts timeouts;
    private final byte[] writeTimeout;
    private final byte[] readTimeout;

    /**
     * @param leaderWait     how long a request waits for a leader before failing with {@code -TRYAGAIN}
     * @param requestTimeout how long any request may take in all before it fails
     */
    RaftGateway(RaftServer raft, Forwarder forwarder, LeaderTracker tracker, ScheduledExecutorService timer,
                Duration leaderWait, Duration requestTimeout) {
        this.raft = raft;
        this.forwarder = forwarder;
        this.tracker = tracker;
        this.leaderWaitNanos = leaderWait.toNanos();
        this.timeouts = new RequestTimeouts(requestTimeout.toNanos(), timer);
        this.writeTimeout = Errors.indeterminate("no answer within " + requestTimeout.toMillis() + " ms");
        this.readTimeout = Replies.error("TRYAGAIN no answer within " + requestTimeout.toMillis() + " ms");
    }

    /** This node's id. */
    public NodeId id() {
        return raft.id();
    }

    /** This node's Raft state. */
    public ServerStatus status() {
        return raft.status();
    }

    /**
     * Replicates an encoded write command through the leader and returns its reply.
     *
     * @param session the write session (one per client event loop), which keeps its writes in order across retries
     */
    public CompletableFuture<byte[]> write(byte[] command, WriteSession session) {
        Request r = new Request(command, true, session);
        boolean now;
        synchronized (session) {
            session.order.add(r);
            now = session.held == 0;
            if (!now) {
                r.state = State.QUEUED;
                session.held++;
            }
        }
        r.result.whenComplete((reply, failure) -> r.finished());
        if (now) {
            r.attempt();
        }
        return withTimeout(r.result, true);
    }

    /** Runs an encoded query linearizably and returns its reply. */
    public CompletableFuture<byte[]> read(byte[] query) {
        Request r = new Request(query, false, null);
        r.attempt();
        return withTimeout(r.result, false);
    }

    /**
     * Submits a write forwarded by another node, here only: the reply is a bulk string holding the result's RESP
     * bytes, {@code -NOTLEADER} if this node does not lead (nothing was applied), or an error to relay.
     */
    public CompletableFuture<byte[]> submitForwarded(byte[] command) {
        String problem = WriteCheck.problem(command);
        if (problem != null) {
            return CompletableFuture.completedFuture(Replies.error("ERR malformed forwarded write, not applied: "
                    + problem));
        }
        return raft.submit(command).handle((result, failure) -> {
            if (failure == null) {
                return Replies.bulk(result);
            }
            Throwable t = Errors.unwrap(failure);
            if (t instanceof NotLeaderException || t instanceof ServerStoppedException) {
                return Replies.error("NOTLEADER " + raft.status().leaderId().map(NodeId::value).orElse("unknown"));
            }
            return Errors.reply(t);
        });
    }

    /** Takes a snapshot now; completes with its metadata or fails with the reason. */
    public CompletableFuture<SnapshotMetadata> snapshot() {
        return raft.snapshot();
    }

    private CompletableFuture<byte[]> withTimeout(CompletableFuture<byte[]> result, boolean write) {
        timeouts.watch(result, write ? writeTimeout : readTimeout);
        return result;
    }

    /** Where a write stands in its {@link WriteSession}. */
    private enum State { ATTEMPTING, QUEUED, RETRY, FINISHED }

    /** One client request and its retries while the leader is unknown or moving. */
    private final class Request {
        final byte[] payload;
        final boolean write;
        final WriteSession session;
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        final long leaderDeadline = System.nanoTime() + leaderWaitNanos;
        long backoff = FIRST_BACKOFF_NANOS;
        State state = State.ATTEMPTING; // guarded by session

        Request(byte[] payload, boolean write, WriteSession session) {
            this.payload = payload;
            this.write = write;
            this.session = session;
        }

        /** Leaves the session and lets the next held write go, if it is now first. */
        void finished() {
            Request next;
            State nextState;
            synchronized (session) {
                session.order.remove(this);
                if (state != State.ATTEMPTING) {
                    session.held--;
                }
                state = State.FINISHED;
                next = (Request) session.order.peek();
                if (next == null || next.state == State.ATTEMPTING) {
                    return;
                }
                nextState = next.state;
                if (nextState == State.QUEUED) {
                    next.state = State.ATTEMPTING;
                    session.held--;
                }
            }
            if (nextState == State.QUEUED) {
                next.attempt();
            } else {
                next.waitAndAttempt();
            }
        }

        void attempt() {
            if (result.isDone()) {
                return;
            }
            CompletableFuture<byte[]> f = write ? raft.submit(payload) : raft.read(payload);
            f.whenComplete((reply, failure) -> {
                if (failure == null) {
                    result.complete(reply);
                    return;
                }
                Throwable t = Errors.unwrap(failure);
                if (t instanceof NotLeaderException notLeader) {
                    NodeId leader = notLeader.leader().orElse(null);
                    if (write && leader != null && !leader.equals(raft.id())) {
                        forward(leader);
                    } else {
                        retry();
                    }
                } else {
                    result.complete(Errors.reply(t));
                }
            });
        }

        private void forward(NodeId leader) {
            forwarder.forward(leader, payload).thenAccept(outcome -> {
                if (outcome instanceof ForwardResult.Reply r) {
                    result.complete(r.reply());
                } else if (outcome instanceof ForwardResult.Lost l) {
                    result.complete(Errors.indeterminate(l.why()));
                } else {
                    // NotLeader or NotSent: nothing was applied, so trying again is safe.
                    retry();
                }
            });
        }

        /** Tries again after a wait, in turn with the session's other writes. */
        private void retry() {
            if (session != null) {
                synchronized (session) {
                    if (state != State.ATTEMPTING) {
                        return; // finished meanwhile (timed out)
                    }
                    // Held: later writes of this connection wait until this one is through.
                    state = State.RETRY;
                    session.held++;
                    if (session.order.peek() != this) {
                        return; // an earlier write goes first; finished() resumes this one
                    }
                }
            }
            waitAndAttempt();
        }

        private void resume() {
            if (session != null) {
                synchronized (session) {
                    if (state != State.RETRY) {
                        return;
                    }
                    state = State.ATTEMPTING;
                    session.held--;
                }
            }
            attempt();
        }

        /** Waits for the next leader change (or a short backoff) and tries again, unless the wait is over. */
        private void waitAndAttempt() {
            long left = leaderDeadline - System.nanoTime();
            if (left <= 0) {
                result.complete(Errors.NO_LEADER);
                return;
            }
            long wait = Math.min(backoff, left);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            tracker.nextChange(Duration.ofNanos(wait)).thenRun(this::resume);
        }
    }
}
