package dev.keel.raft.exception;

/**
 * Base of the exceptions with which Keel's futures fail. Each subclass says whether the operation may have taken
 * effect, and so whether a retry is safe.
 */
public class RaftException extends RuntimeException {
    public RaftException(String message) {
        super(message);
    }

    public RaftException(String message, Throwable cause) {
        super(message, cause);
    }
}
