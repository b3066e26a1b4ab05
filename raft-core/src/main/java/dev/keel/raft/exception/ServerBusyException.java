package dev.keel.raft.exception;

/**
 * Backpressure: too many operations are pending, so this one was refused without taking effect. Retry after a
 * short pause.
 */
public class ServerBusyException extends RaftException {
    public ServerBusyException(String message) {
        super(message);
    }
}
