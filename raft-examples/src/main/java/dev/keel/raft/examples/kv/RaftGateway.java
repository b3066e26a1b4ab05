package dev.keel.raft.examples.kv;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftServer;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.log.SnapshotMetadata;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs KV commands against Raft from any node. Reads are linearizable reads on this node (ReadIndex, which Keel serves
 * on followers too); while no leader is known, a read waits for one up to {@code leaderWait}, then fails with
 * {@code -TRYAGAIN no leader}. Writes go through each connection's {@link SessionWriter}: Keel forwards them to the
 * leader and applies each exactly once.
 *
 * <p>Thread-safe. Futures complete on Keel's threads or the timer thread; callers must hand heavy work elsewhere.
 * They never complete exceptionally: failures are RESP error replies.
 */
public final class RaftGateway {
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final RaftServer raft;
    private final LeaderTracker tracker;
    private final Duration leaderWait;
    private final Duration requestTimeout;
    private final RequestTimeouts timeouts;
    private final byte[] readTimeout;

    /**
     * @param leaderWait     how long a request waits for a leader before failing with {@code -TRYAGAIN}
     * @param requestTimeout how long any request may take in all
     */
    RaftGateway(RaftServer raft, LeaderTracker tracker, ScheduledExecutorService timer, Duration leaderWait,
                Duration requestTimeout) {
        this.raft = raft;
        this.tracker = tracker;
        this.leaderWait = leaderWait;
        this.requestTimeout = requestTimeout;
        this.timeouts = new RequestTimeouts(requestTimeout.toNanos(), timer);
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

    /** A new connection's writer: its own session, opened at its first write. */
    SessionWriter writer() {
        return new SessionWriter(raft, tracker, leaderWait, requestTimeout);
    }

    /** Runs an encoded query linearizably and returns its reply. */
    public CompletableFuture<byte[]> read(byte[] query) {
        Read r = new Read(query);
        r.attempt();
        timeouts.watch(r.result, readTimeout);
        return r.result;
    }

    /** Takes a snapshot now; completes with its metadata or fails with the reason. */
    public CompletableFuture<SnapshotMetadata> snapshot() {
        return raft.snapshot();
    }

    /** One read and its retries while the leader is unknown or moving: a read that fails did nothing. */
    private final class Read {
        final byte[] query;
        final CompletableFuture<byte[]> result = new CompletableFuture<>();
        final long leaderDeadline = System.nanoTime() + leaderWait.toNanos();
        long backoff = FIRST_BACKOFF_NANOS;

        Read(byte[] query) {
            this.query = query;
        }

        void attempt() {
            if (result.isDone()) {
                return;
            }
            raft.read(query).whenComplete((reply, failure) -> {
                if (failure == null) {
                    result.complete(reply);
                } else if (Errors.unwrap(failure) instanceof NotLeaderException) {
                    retry();
                } else {
                    result.complete(Errors.reply(failure));
                }
            });
        }

        /** Waits for the next leader change (or a short backoff) and tries again, unless the wait is over. */
        private void retry() {
            long left = leaderDeadline - System.nanoTime();
            if (left <= 0) {
                result.complete(Errors.NO_LEADER);
                return;
            }
            long wait = Math.min(backoff, left);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            tracker.nextChange(Duration.ofNanos(wait)).thenRun(this::attempt);
        }
    }
}
