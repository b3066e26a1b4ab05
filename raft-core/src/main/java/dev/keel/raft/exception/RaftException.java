package dev.keel.raft.exception;

/**
 * Base of the exceptions with which Keel's futures fail. Each subclass says whether the operation may have taken
 * effect, and so whether a retry is safe.
 */
public class RaftException extends RuntimeException {
    /** @param message what failed and, where it helps, what the caller can do about it */
    public RaftException(String message) {
        super(message);
    }

    /**
     * @param message what failed and, where it helps, what the caller can do about it
     * @param cause   the underlying failure, kept for the stack trace
     */
    public RaftException(String message, Throwable cause) {
        super(message, cause);
    }
}
