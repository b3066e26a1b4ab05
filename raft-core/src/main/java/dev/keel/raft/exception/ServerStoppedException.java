package dev.keel.raft.exception;

/**
 * The server is closed, or stopped itself after a fatal error (the cause, when present); the operation was not
 * accepted.
 */
public class ServerStoppedException extends RaftException {
    public ServerStoppedException(String message) {
        super(message);
    }

    public ServerStoppedException(String message, Throwable cause) {
        super(message, cause);
    }
}
