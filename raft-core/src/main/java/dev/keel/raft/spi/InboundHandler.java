package dev.keel.raft.spi;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.RaftMessage;

/**
 * Receives what a {@link Transport} delivers. Implementations are provided by {@code RaftServer}: they only enqueue
 * work for the event loop, so they are cheap, thread-safe and never block.
 */
public interface InboundHandler {

    /** A message addressed to this server arrived. */
    void onMessage(RaftMessage message);

    /**
     * The transport believes {@code peer} is unreachable (e.g. a connection attempt failed). A hint only: the
     * leader stops streaming entries to the peer and probes it instead.
     */
    default void onPeerUnreachable(NodeId peer) {
    }
}
