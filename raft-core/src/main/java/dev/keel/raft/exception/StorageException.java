package dev.keel.raft.exception;

/**
 * Durable storage failed (an I/O error, a full disk, corruption found on disk). A server that sees one stops
 * (fail-stop) rather than continue with state it cannot trust.
 */
public class StorageException extends RaftException {
    /** @param message what is wrong (corruption found, a directory locked, the storage closed) and where */
    public StorageException(String message) {
        super(message);
    }

    /**
     * @param message which storage operation failed, and on which file when known
     * @param cause   the I/O error behind it
     */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
