package dev.keel.raft.exception;

/**
 * The command reached the log but the server lost track of it before it was known to be committed (for example, it
 * stopped being leader, or it was closed). It may or may not take effect; a retry may apply it twice unless the
 * command is idempotent.
 */
public class IndeterminateOutcomeException extends RaftException {
    /** @param message which command was lost track of and why (lost leadership, server closed) */
    public IndeterminateOutcomeException(String message) {
        super(message);
    }

    /**
     * @param message which command was lost track of and why
     * @param cause   what made the outcome unknowable (the server stopping, the session expiring, the leader's
     *                failed reply)
     */
    public IndeterminateOutcomeException(String message, Throwable cause) {
        super(message, cause);
    }
}
