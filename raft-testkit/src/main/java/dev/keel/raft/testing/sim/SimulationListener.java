package dev.keel.raft.testing.sim;

import dev.keel.raft.NodeId;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.message.RaftMessage;

/**
 * Watches a simulation as it runs, to show it (the {@code keel-sim} command prints a timeline from it). Every method
 * is called on the simulation's thread, at the virtual time given in nanoseconds, and must only observe: a listener
 * that changed servers, the network or the random source would make runs of one seed differ.
 *
 * <p>All methods do nothing by default.
 */
public interface SimulationListener {
    /** A listener that ignores everything. */
    SimulationListener NONE = new SimulationListener() {
    };

    /**
     * A notable event, as it appears in {@link SimulationResult#timeline()}: a fault injected or healed (texts
     * starting {@code FAULT}, {@code HEAL}), a crash or restart ({@code CRASH}, {@code RESTART}), a membership change,
     * a role change, the phases' verdicts ({@code LIVE}, {@code CONVERGED}, {@code LINEARIZABLE}, {@code VIOLATION}).
     */
    default void onNote(long nanos, String text) {
    }

    /** A server's status changed (role, term or leader). */
    default void onStatus(long nanos, ServerStatus status) {
    }

    /** A message reached its destination (a vote request or response, say). */
    default void onDelivered(long nanos, RaftMessage message) {
    }

    /** A server's commit index moved up to {@code commitIndex}. */
    default void onCommit(long nanos, NodeId node, long commitIndex) {
    }

    /** A client operation finished (or was given up on), as recorded in the history. */
    default void onClientOp(long nanos, ClientOp op) {
    }
}
