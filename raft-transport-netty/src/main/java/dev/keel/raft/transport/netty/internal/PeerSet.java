package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.RaftMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The outbound connections, one {@link PeerConnection} per peer, replaceable at runtime. Sends route by a lock-free
 * map lookup; {@link #update} is rare (membership changes) and serialised.
 */
public final class PeerSet {
    /**
     * Bytes written but not yet taken by the socket above which a connection stops taking more messages from its
     * queue (which then fills and drops), and below which it resumes.
     */
    private static final int WRITE_BUFFER_LOW = 1 << 20;
    private static final int WRITE_BUFFER_HIGH = 4 << 20;

    private final TransportContext context;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final SslContext tls;
    private final int queueCapacity;
    private final Backoff backoff;
    private final Map<NodeId, PeerConnection> peers = new ConcurrentHashMap<>();
    private boolean closed;

    public PeerSet(TransportContext context, EventLoopGroup group, NettyIo io, SslContext tls, int queueCapacity,
                   Duration connectTimeout, Duration backoffMin, Duration backoffMax) {
        this.context = context;
        this.group = group;
        this.tls = tls;
        this.queueCapacity = queueCapacity;
        this.backoff = new Backoff(backoffMin, backoffMax, () -> ThreadLocalRandom.current().nextDouble());
        this.bootstrap = new Bootstrap()
                .channel(io.socketChannel())
                // Batching happens in PeerConnection (many writes, one flush), so Nagle would only add latency.
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(WRITE_BUFFER_LOW, WRITE_BUFFER_HIGH));
    }

    /** Routes {@code message} to its addressee's queue, or drops and counts it if that is not a peer. */
    public void send(RaftMessage message) {
        PeerConnection peer = peers.get(message.to());
        if (peer == null) {
            context.counters.droppedUnknownPeer();
            return;
        }
        peer.send(message);
    }

    /**
     * Makes {@code newPeers} the peer set: new peers get a connection (opened on their first message), removed ones
     * are closed with their queues, and a peer whose address changed is reconnected at the new address.
     */
    public synchronized void update(Map<NodeId, InetSocketAddress> newPeers) {
        if (closed) {
            return;
        }
        for (Map.Entry<NodeId, PeerConnection> e : peers.entrySet()) {
            InetSocketAddress address = newPeers.get(e.getKey());
            if (!e.getValue().address().equals(address)) {
                peers.remove(e.getKey());
                e.getValue().close();
            }
        }
        newPeers.forEach((id, address) -> peers.computeIfAbsent(id, k -> new PeerConnection(k, address, context,
                group.next(), bootstrap, tls, queueCapacity, backoff)));
    }

    /** Closes every connection; later sends are dropped as to an unknown peer. */
    public synchronized void close() {
        closed = true;
        peers.values().forEach(PeerConnection::close);
        peers.clear();
    }
}
