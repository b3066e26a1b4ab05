package dev.keel.raft.statemachine;

/**
 * The application's deterministic state machine, replicated by Raft.
 *
 * <h2>Threading</h2>
 * Keel calls both methods from one thread (the server's applier), never concurrently, so an implementation need
 * not be thread-safe. A slow method delays every later command and read on this server, but not replication.
 *
 * <h2>Determinism</h2>
 * {@link #apply} must produce the same state and result on every server for the same sequence of commands: no
 * clocks, randomness or outside I/O that differs between servers.
 *
 * <h2>Failures</h2>
 * An exception thrown by {@link #apply} stops the server: replicas must not diverge, and a half-applied command
 * leaves a state Keel cannot trust. Reject bad commands by returning an error result instead. An exception thrown
 * by {@link #query} fails only that read.
 */
public interface StateMachine {

    /**
     * Applies a committed command. Called exactly once per command, in log order.
     *
     * @param index   the log index of the command (strictly increasing from call to call)
     * @param command the command bytes as submitted
     * @return the result passed to the submitter's future (only on the server that accepted the command); may be
     *         empty but not {@code null}
     */
    byte[] apply(long index, byte[] command);

    /**
     * Answers a read-only query against the current state, without changing it.
     *
     * @return the result passed to the reader's future; not {@code null}
     */
    byte[] query(byte[] query);
}
