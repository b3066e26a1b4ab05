package dev.keel.raft.statemachine;

import java.io.IOException;
import java.io.InputStream;

/**
 * The application's deterministic state machine, replicated by Raft.
 *
 * <h2>Threading</h2>
 * Keel calls every method of this interface from one thread (the server's applier), never concurrently, so an
 * implementation need not be thread-safe (a {@link StateSnapshot} is written out on another thread: see there). A slow method delays every later command and read on this server, but not replication.
 *
 * <h2>Determinism</h2>
 * {@link #apply} must produce the same state and result on every server for the same sequence of commands: no
 * clocks, randomness or outside I/O that differs between servers. For time, use the command's log time
 * ({@link ApplyContext#logTimeMillis()}), which the leader stamped into the log and every replica sees alike.
 *
 * <h2>Snapshots</h2>
 * To keep the log bounded, Keel periodically asks for a {@linkplain #takeSnapshot() snapshot} of the state, writes
 * it to disk and deletes the log entries it covers; a restarting or far-behind server
 * {@linkplain #restoreSnapshot restores} one instead of replaying the whole history. A state machine that returns
 * {@code null} from {@link #takeSnapshot()} (the default) opts out: its log is never compacted.
 *
 * <h2>Failures</h2>
 * An exception thrown by {@link #apply} stops the server: replicas must not diverge, and a half-applied command
 * leaves a state Keel cannot trust. Reject bad commands by returning an error result instead. An exception thrown
 * by {@link #query} fails only that read.
 */
public interface StateMachine {

    /**
     * Applies a committed command. Called exactly once per command, in log order. This is the method Keel calls;
     * its default hands over to {@link #apply(long, byte[])}, for state machines that need no log time.
     *
     * @param context the command's log index and log time (the leader's clock, the same on every replica; see
     *                {@link ApplyContext})
     * @param command the command bytes as submitted
     * @return the result passed to the submitter's future (only on the server that accepted the command); may be
     *         empty but not {@code null}
     */
    default byte[] apply(ApplyContext context, byte[] command) {
        return apply(context.index(), command);
    }

    /**
     * Applies a committed command, knowing only its index: implement this one or
     * {@link #apply(ApplyContext, byte[])} (which Keel calls), not both. {@code RaftServer.Builder.build()} rejects a
     * state machine that implements neither.
     *
     * @param index   the log index of the command (strictly increasing from call to call)
     * @param command the command bytes as submitted
     * @return the result passed to the submitter's future (only on the server that accepted the command); may be
     *         empty but not {@code null}
     * @throws UnsupportedOperationException from the default, which a state machine overriding
     *                                       {@link #apply(ApplyContext, byte[])} never reaches
     */
    default byte[] apply(long index, byte[] command) {
        throw new UnsupportedOperationException(getClass().getName()
                + " implements neither StateMachine.apply(ApplyContext, byte[]) nor apply(long, byte[])");
    }

    /**
     * Answers a read-only query against the current state, without changing it.
     *
     * @return the result passed to the reader's future; not {@code null}
     */
    byte[] query(byte[] query);

    /**
     * Captures the state as of the last {@link #apply} call, for a snapshot. Called on the applier thread, between two
     * {@code apply} calls, so it sees a consistent state; it must be cheap (a reference to an immutable or
     * copy-on-write structure, a frozen version), because applying waits while it runs. The returned view is written
     * out later, on another thread, while applying goes on.
     *
     * @return the frozen view, or {@code null} if this state machine does not support snapshots
     */
    default StateSnapshot takeSnapshot() {
        return null;
    }

    /**
     * Replaces the whole state with the snapshot in {@code in}, as written by {@link StateSnapshot#writeTo}. Called on
     * the applier thread, when the server starts from a snapshot or installs one sent by the leader; the next
     * {@link #apply} call is for the entry just after the snapshot. Keel has verified the snapshot's checksum before
     * this call.
     *
     * @throws IOException if the stream cannot be read; the server then stops (fail-stop), since its state is unknown
     * @throws UnsupportedOperationException from the default implementation, which only state machines that never
     *                                       take snapshots may keep
     */
    default void restoreSnapshot(InputStream in) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " does not support snapshots");
    }
}
