package dev.keel.raft.exception;

/**
 * Durable storage failed (an I/O error, a full disk, corruption found on disk). A server that sees one stops
 * (fail-stop) rather than continue with state it cannot trust.
 */
public class StorageException extends RaftException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
