package dev.keel.raft.exception;

/**
 * Backpressure: too many operations are pending, so this one was refused without taking effect. Retry after a
 * short pause.
 */
public class ServerBusyException extends RaftException {
    /** @param message which limit was reached, naming the setting that bounds it */
    public ServerBusyException(String message) {
        super(message);
    }
}
