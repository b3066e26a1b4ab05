package dev.keel.raft.exception;

/**
 * The command reached the log but the server lost track of it before it was known to be committed (for example, it
 * stopped being leader, or it was closed). It may or may not take effect; a retry may apply it twice unless the
 * command is idempotent.
 */
public class IndeterminateOutcomeException extends RaftException {
    public IndeterminateOutcomeException(String message) {
        super(message);
    }

    public IndeterminateOutcomeException(String message, Throwable cause) {
        super(message, cause);
    }
}
