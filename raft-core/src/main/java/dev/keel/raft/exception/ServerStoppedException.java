package dev.keel.raft.exception;

/**
 * The server is closed, or stopped itself after a fatal error (the cause, when present); the operation was not
 * accepted.
 */
public class ServerStoppedException extends RaftException {
    /** @param message that the server is closed or stopped, and which server */
    public ServerStoppedException(String message) {
        super(message);
    }

    /**
     * @param message that the server stopped, and which server
     * @param cause   why it stopped: the fatal error (a {@link StorageException}, a broken invariant)
     */
    public ServerStoppedException(String message, Throwable cause) {
        super(message, cause);
    }
}
