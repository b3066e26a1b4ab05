package dev.keel.raft.spi;

import dev.keel.raft.message.RaftMessage;

/**
 * Carries {@link RaftMessage}s between the servers of a cluster.
 *
 * <p>Raft tolerates lost, delayed, duplicated and reordered messages, so a transport may drop a message whenever
 * delivering it would cost the caller time (full queue, unreachable peer, broken connection). It must never
 * deliver a message corrupted or to the wrong server.
 *
 * <h2>Lifecycle</h2>
 * The server calls {@link #start} once, then {@link #send} any number of times, then {@link #close}.
 */
public interface Transport extends AutoCloseable {

    /**
     * Starts delivering inbound messages addressed to this server to {@code handler}. The handler may be called
     * from any thread, concurrently; it never blocks.
     *
     * @throws dev.keel.raft.exception.RaftException if the transport cannot start (e.g. its port is taken)
     */
    void start(InboundHandler handler);

    /**
     * Sends a message to {@link RaftMessage#to()}. Never blocks and never throws: a message that cannot be sent
     * now is dropped (and counted, where the transport keeps counters).
     */
    void send(RaftMessage message);

    /**
     * The cluster's configuration changed (a member was added, removed or moved). Transports that connect by address
     * use it to reach new members and drop removed ones; the default ignores it. Called from the event loop; must not
     * block.
     */
    default void membershipChanged(dev.keel.raft.Membership membership) {
    }

    /**
     * Called once by the server before {@link #start}, with the registry its metrics go to (every meter tagged with the
     * server's id): a transport that measures itself (bytes, frames, drops and reconnects per peer, see
     * {@link dev.keel.raft.metrics.KeelMetrics#TRANSPORT_SENT_BYTES}) creates its meters here. The default measures
     * nothing.
     */
    default void bindMetrics(dev.keel.raft.metrics.MetricsRegistry metrics) {
    }

    /** Stops sending and receiving and releases resources. Idempotent. */
    @Override
    void close();
}
