package dev.keel.raft.transport.netty;

/**
 * A snapshot of a {@link NettyTransport}'s counters since it was created. Counters only grow. Raft tolerates lost
 * messages, so drops are normal in small numbers (a peer restarting, a leader change); a steadily growing count
 * points to an overloaded or misconfigured node.
 *
 * @param messagesSent              messages written to a peer's connection
 * @param messagesReceived          messages delivered to the inbound handler
 * @param droppedQueueFull          sends dropped because the peer's queue was full
 * @param droppedUnreachable        sends dropped because the peer could not be reached (connect failed, backing
 *                                  off, or the transport closed)
 * @param droppedUnknownPeer        sends dropped because the addressee is not a configured peer
 * @param droppedTooLarge           sends dropped because they would exceed the maximum frame size
 * @param droppedInbound            received messages dropped: addressed to another node, for another group, or of a
 *                                  kind this version does not know
 * @param handshakesRefused         inbound connections refused by the handshake (wrong cluster, unknown node, ...)
 * @param connectionsClosedOnError  connections closed because of malformed, oversized or truncated frames or a
 *                                  protocol violation
 */
public record TransportStats(long messagesSent, long messagesReceived, long droppedQueueFull, long droppedUnreachable,
                             long droppedUnknownPeer, long droppedTooLarge, long droppedInbound,
                             long handshakesRefused, long connectionsClosedOnError) {
}
