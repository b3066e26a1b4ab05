package dev.keel.raft;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A client session (Raft thesis §6.3): commands submitted through it take effect exactly once and in the order
 * submitted, even when they are retried across leader changes, lost messages and lost replies.
 *
 * <p>Open one with {@link RaftServer#openSession()}, on any member. Each command gets the next sequence number of the
 * session; the cluster keeps, in its replicated state (and every snapshot), the highest sequence number each session
 * applied and the results its client has not acknowledged, so a retried command returns its first result instead of
 * being applied again. The session retries by itself (after a leader change, a lost forward, a busy leader) until the
 * command's deadline: a caller sees {@link dev.keel.raft.exception.IndeterminateOutcomeException} only if the deadline
 * passes while the command may have been applied.
 *
 * <h2>Expiry</h2>
 * A session expires when no request of it reaches the log for {@link RaftConfig#sessionTimeout()} of log time (the
 * leader's clock, stamped into the log; see {@link dev.keel.raft.statemachine.ApplyContext}), so every replica expires
 * it at the same index. An idle session sends a keep-alive every third of the timeout. Once expired it refuses
 * everything with {@link dev.keel.raft.exception.SessionException} ({@code EXPIRED}); open a new one.
 *
 * <h2>Limits</h2>
 * At most {@link RaftConfig#sessionMaxPending()} commands of a session are in flight at once (later ones wait their
 * turn, in order), and the cluster keeps at most that many results, and about {@link RaftConfig#sessionMaxCachedBytes()}
 * of them, per session. At most {@link RaftConfig#maxSessions()} sessions are open at once.
 *
 * <h2>Threading</h2>
 * Thread-safe. Futures complete on the server's applier thread (as {@link RaftServer#submit}'s do). The session lives
 * on the server that opened it: closing that server fails its pending commands.
 */
public interface ClientSession extends AutoCloseable {

    /** The session's id: the log index of the entry that opened it. */
    long id();

    /**
     * Submits a command, retried until {@link RaftConfig#sessionDeadline()} has passed.
     *
     * @see #submit(byte[], Duration)
     */
    CompletableFuture<byte[]> submit(byte[] command);

    /**
     * Submits a command, to be applied exactly once, after every command submitted through this session before it.
     *
     * @param deadline how long the session may retry before it gives up
     * @return a future completing with the state machine's result. It fails with
     *         {@link dev.keel.raft.exception.IndeterminateOutcomeException} if the deadline passed (or the session
     *         expired) after the command may have been applied; with
     *         {@link dev.keel.raft.exception.SessionException} ({@code EXPIRED}) if the session expired or was closed
     *         before the command could have been applied; with {@link dev.keel.raft.exception.NotLeaderException} or
     *         {@link dev.keel.raft.exception.ServerBusyException} if the deadline passed while no attempt could have
     *         applied it; and with {@link dev.keel.raft.exception.ServerStoppedException} if this server closed first
     *         (the command was not applied) or {@code IndeterminateOutcomeException} (it may have been)
     */
    CompletableFuture<byte[]> submit(byte[] command, Duration deadline);

    /** Like {@link #submit(byte[], Duration)}, with the log index the command was applied at. */
    CompletableFuture<Committed<byte[]>> submitCommitted(byte[] command, Duration deadline);

    /** Whether the session has expired, or was closed. */
    boolean isClosed();

    /**
     * Ends the session once its pending commands are done: new commands are refused at once, and the cluster forgets
     * the session (best effort: if that request is lost, the session expires by itself).
     *
     * @return a future completing once the cluster has forgotten the session (or the attempt to tell it failed)
     */
    CompletableFuture<Void> closeAsync();

    /** {@link #closeAsync()}, without waiting. */
    @Override
    default void close() {
        closeAsync();
    }
}
