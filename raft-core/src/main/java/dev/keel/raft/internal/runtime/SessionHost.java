package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.exception.RaftException;
import dev.keel.raft.message.ClientRequest;

import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What a {@link SessionClient} needs from the server it lives on. Everything but {@link #post} and {@link #submit} is
 * for the loop.
 */
interface SessionHost {

    NodeId self();

    RaftConfig config();

    /** Timers on the event loop, in ticks. */
    LoopTimers timers();

    /** Runs {@code task}, a completion of work the loop started, on the event loop; any thread. */
    void post(Runnable task);

    /**
     * Runs a caller's {@code operation} on the event loop, or tells {@code refused} why not (the loop's inbox is full,
     * or the server stopped); any thread. See {@link EventLoop}'s overload rule.
     */
    void submit(Runnable operation, Consumer<RuntimeException> refused);

    /** Runs one attempt at {@code request} here or at the leader; {@code done} may be called on any thread. */
    void route(ClientRequest request, Consumer<Reply> done);

    /** Whether this server knows a leader. */
    boolean leaderKnown();

    /** Runs {@code task} on the loop once a leader is known (at once if one is). */
    void onNextLeader(Runnable task);

    /** Where callers' futures are completed (never the event loop). */
    Executor callbacks();

    /** The exception a failed reply stands for. */
    RaftException exception(Reply failed);

    /** Converts a duration to ticks, at least one. */
    long ticks(java.time.Duration duration);

    /** A session opened: the host fails its commands if it stops. */
    void register(SessionClient session);

    /** The session is done with (closed or expired): the host forgets it. */
    void forget(SessionClient session);
}
