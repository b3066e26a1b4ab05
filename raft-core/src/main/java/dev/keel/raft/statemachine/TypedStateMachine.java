package dev.keel.raft.statemachine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A {@link StateMachine} with typed commands, queries and results: implement this, and
 * {@link Protocol#stateMachine} adapts it to the bytes Keel replicates. The same rules apply as to
 * {@link StateMachine}: called on one thread, {@link #apply} deterministic (use {@link ApplyContext#logTime()} for
 * time), an exception from {@code apply} stops the server, one from {@code query} fails only that read.
 *
 * @param <C> the command type
 * @param <Q> the query type
 * @param <R> the result type
 */
public interface TypedStateMachine<C, Q, R> {

    /**
     * Applies a committed command; see {@link StateMachine#apply(ApplyContext, byte[])}.
     *
     * @return the result for the submitter; not {@code null}
     */
    R apply(ApplyContext context, C command);

    /**
     * Answers a query without changing the state; see {@link StateMachine#query}.
     *
     * @return the result for the reader; not {@code null}
     */
    R query(Q query);

    /** See {@link StateMachine#takeSnapshot()}; {@code null} (the default) opts out of snapshots. */
    default StateSnapshot takeSnapshot() {
        return null;
    }

    /** See {@link StateMachine#restoreSnapshot}. */
    default void restoreSnapshot(InputStream in) throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " does not support snapshots");
    }

    /** Runs a typed state machine on bytes. */
    final class Adapter<C, Q, R> implements StateMachine {
        private final TypedStateMachine<C, Q, R> typed;
        private final Protocol<C, Q, R> protocol;

        Adapter(TypedStateMachine<C, Q, R> typed, Protocol<C, Q, R> protocol) {
            this.typed = Objects.requireNonNull(typed, "typed");
            this.protocol = Objects.requireNonNull(protocol, "protocol");
        }

        @Override
        public byte[] apply(ApplyContext context, byte[] command) {
            return protocol.results().encode(typed.apply(context, protocol.commands().decode(command)));
        }

        @Override
        public byte[] query(byte[] query) {
            return protocol.results().encode(typed.query(protocol.queries().decode(query)));
        }

        @Override
        public StateSnapshot takeSnapshot() {
            return typed.takeSnapshot();
        }

        @Override
        public void restoreSnapshot(InputStream in) throws IOException {
            typed.restoreSnapshot(in);
        }

        @Override
        public String toString() {
            return "typed " + typed;
        }
    }
}
