package dev.keel.raft.statemachine;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A frozen view of a state machine's state, captured cheaply on the applier thread by
 * {@link StateMachine#takeSnapshot()} and written out later, on another thread, while the state machine goes on
 * applying commands.
 *
 * <p>Keel calls {@link #writeTo} at most once, then {@link #close()} exactly once, whether the write succeeded,
 * failed or never happened.
 */
public interface StateSnapshot extends AutoCloseable {

    /**
     * Writes the frozen state as a stream of bytes that {@link StateMachine#restoreSnapshot} can read back. Called on
     * a background thread, concurrently with {@link StateMachine#apply}; it must read only the frozen view. Keel
     * buffers, checksums and syncs the stream; do not close {@code out}.
     *
     * @throws IOException to abandon this snapshot (Keel logs it and tries again later)
     */
    void writeTo(OutputStream out) throws IOException;

    /** Releases the frozen view (e.g. lets a copy-on-write structure drop its old version). */
    @Override
    default void close() {
    }
}
