package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.NodeId;
import io.netty.channel.Channel;

/**
 * What an {@link OutboundConnectionHandler} reports about its connection; implemented by {@link PeerConnection}.
 * Every method is called on the connection's event loop.
 */
interface OutboundListener {
    /** The peer this connection goes to. */
    NodeId peer();

    /** The peer accepted the handshake on {@code ch}: it may carry Raft traffic now. */
    void handshakeAccepted(Channel ch);

    /**
     * {@code ch} closed before its handshake was accepted, for {@code reason}. {@code localFault} is the error when
     * the cause lies inside this node (a bug, or a broken class path such as a conflicting library), not in the
     * network or the peer; null otherwise.
     */
    void connectionFailed(Channel ch, String reason, Throwable localFault);

    /** The established connection {@code ch} closed. */
    void connectionLost(Channel ch);

    /** {@code ch} can take more writes again. */
    void writable();
}
