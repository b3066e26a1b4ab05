package dev.keel.raft.transport.netty.internal;

/**
 * A frame that decoded as protobuf but does not describe a valid message (bad node id, entries out of order, unknown
 * entry type, negative index, ...), or a frame that breaks the connection protocol. The connection it came on is
 * closed; the node goes on.
 */
public final class InvalidWireDataException extends RuntimeException {
    InvalidWireDataException(String message) {
        super(message);
    }

    InvalidWireDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
