package dev.keel.raft.transport.netty;

import dev.keel.raft.NodeId;
import dev.keel.raft.exception.RaftException;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.spi.Transport;
import dev.keel.raft.transport.netty.internal.Counters;
import dev.keel.raft.transport.netty.internal.InboundChannelInitializer;
import dev.keel.raft.transport.netty.internal.NettyIo;
import dev.keel.raft.transport.netty.internal.PeerSet;
import dev.keel.raft.transport.netty.internal.TlsContexts;
import dev.keel.raft.transport.netty.internal.TransportContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Transport} over TCP with Netty: length-prefixed protobuf frames ({@code keel.raft.v1}), one outbound
 * connection per peer, optional mutual TLS.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>{@link #send} puts the message on the addressee's bounded queue and returns; an event loop writes queued
 *   messages in batches with one flush per batch. A full queue, an unknown addressee, a peer that cannot be reached
 *   (the connection attempt failed and the transport is backing off), or a message larger than the maximum frame are
 *   dropped and counted in {@link #stats()}: Raft retries.</li>
 *   <li>Connections open on the first message to a peer and reopen on the next message after a loss; failed attempts
 *   back off exponentially (capped, with jitter) and each failure calls
 *   {@link InboundHandler#onPeerUnreachable(NodeId)}.</li>
 *   <li>Every connection starts with a handshake naming the cluster, the sender and the addressee. A node of another
 *   cluster, a node that is not a member, or a node that dialled the wrong address is refused with a reason, logged
 *   on both sides, and disconnected.</li>
 *   <li>A malformed, oversized or truncated frame, or a message that fails validation, closes that connection only,
 *   logged at WARN (rate-limited); the node keeps serving everyone else.</li>
 *   <li>Received messages not addressed to this node, or for another group, are dropped and counted.</li>
 * </ul>
 *
 * <h2>Threading and lifecycle</h2>
 * {@link #start} once, then {@link #send} from any number of threads, then {@link #close}. The inbound handler is
 * called on this transport's event-loop threads, concurrently for different peers, in order for one peer.
 * {@link #updatePeers} may be called at any time. All methods are thread-safe. Nothing here blocks an event loop;
 * {@link #start} and {@link #close} block the caller briefly (binding, and up to a few seconds of shutdown).
 */
public final class NettyTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    private enum Lifecycle { NEW, STARTED, CLOSED }

    private final NettyTransportConfig config;
    private final Counters counters = new Counters();
    private final TransportContext context;
    private final TlsContexts tls;
    private final NettyIo io;
    private volatile Lifecycle lifecycle = Lifecycle.NEW;
    private volatile PeerSet peers;
    // Guarded by this.
    private Map<NodeId, InetSocketAddress> currentPeers;
    /** Members removed from the configuration, still connected until their grace ends (see removedMemberGrace). */
    private final Map<NodeId, Object> leaving = new HashMap<>();
    private EventLoopGroup group;
    private Channel serverChannel;

    /**
     * A transport for {@code config}, not yet listening.
     *
     * @throws IllegalArgumentException if TLS is configured and its files cannot be loaded
     */
    public NettyTransport(NettyTransportConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.tls = config.tls().map(TlsContexts::load).orElse(null);
        this.io = NettyIo.select(config.preferNativeTransport());
        this.currentPeers = config.peers();
        this.context = new TransportContext(config.selfId(), config.clusterId(), config.groupId(),
                config.maxFrameSize(), config.connectTimeout(), currentPeers.keySet(), counters);
    }

    /**
     * Listens on the bind address and starts delivering to {@code handler}.
     *
     * @throws RaftException         if the address cannot be bound (e.g. the port is taken)
     * @throws IllegalStateException if called twice, or after {@link #close}
     */
    @Override
    public synchronized void start(InboundHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (lifecycle != Lifecycle.NEW) {
            throw new IllegalStateException("start may be called once, on a new transport; it is " + lifecycle);
        }
        group = io.newGroup(config.ioThreads(), config.selfId().value());
        context.handler(handler);
        PeerSet p = new PeerSet(context, group, io, tls == null ? null : tls.client(),
                config.maxQueuedMessagesPerPeer(), config.connectTimeout(), config.reconnectBackoffMin(),
                config.reconnectBackoffMax());
        p.update(currentPeers);
        ServerBootstrap server = new ServerBootstrap()
                .group(group)
                .channel(io.serverSocketChannel())
                // Lets a restarted node bind its port while connections of its previous life are in TIME_WAIT.
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new InboundChannelInitializer(context, tls == null ? null : tls.server()));
        ChannelFuture bound = server.bind(config.bindAddress()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            p.close();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            lifecycle = Lifecycle.CLOSED;
            throw new RaftException(config.selfId() + ": cannot listen on " + config.bindAddress() + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        serverChannel = bound.channel();
        peers = p;
        lifecycle = Lifecycle.STARTED;
        LOG.info("{}: listening on {} for cluster {} ({}, TLS {}, peers {})", config.selfId(),
                serverChannel.localAddress(), config.clusterId(), io.name(), tls == null ? "off" : "on",
                currentPeers.keySet());
        if (!io.name().equals("epoll") && config.preferNativeTransport()) {
            LOG.info("{}: native epoll transport unavailable, using NIO: {}", config.selfId(),
                    NettyIo.nativeUnavailabilityReason());
        }
    }

    /** Queues {@code message} for its addressee; never blocks, never throws (see the class comment for drops). */
    @Override
    public void send(RaftMessage message) {
        PeerSet p = peers;
        if (lifecycle != Lifecycle.STARTED || p == null || message == null) {
            counters.droppedUnreachable();
            return;
        }
        p.send(message);
    }

    /**
     * Replaces the set of peers: new peers may connect and be sent to, removed peers are disconnected both ways
     * (queued messages to them are dropped, and their connections to this node closed), and a peer whose address
     * changed is reconnected at the new address. An entry for this node itself is ignored.
     *
     * @throws IllegalArgumentException if an id or address is null
     */
    public synchronized void updatePeers(Map<NodeId, InetSocketAddress> newPeers) {
        // An explicit set of peers overrides any grace given to members that left the configuration.
        leaving.clear();
        applyPeers(newPeers);
    }

    private void applyPeers(Map<NodeId, InetSocketAddress> newPeers) {
        Map<NodeId, InetSocketAddress> copy = new LinkedHashMap<>();
        newPeers.forEach((id, address) -> {
            if (id == null || address == null) {
                throw new IllegalArgumentException("peers must not contain null ids or addresses: " + newPeers);
            }
            if (!id.equals(config.selfId())) {
                copy.put(id, address);
            }
        });
        if (lifecycle == Lifecycle.CLOSED) {
            return;
        }
        currentPeers = Map.copyOf(copy);
        context.members(currentPeers.keySet());
        if (peers != null) {
            peers.update(currentPeers);
        }
        LOG.info("{}: peers are now {}", config.selfId(), currentPeers);
    }

    /**
     * Follows the cluster's configuration: every member other than this node becomes a peer, at the address the
     * configuration gives ({@code host:port}) or, when that is empty, at the address already configured for it.
     * Members that left stay connected for {@link NettyTransportConfig#removedMemberGrace()} and are dropped then,
     * unless they came back meanwhile. A member with no address at all is skipped and logged.
     */
    @Override
    public synchronized void membershipChanged(dev.keel.raft.Membership membership) {
        Map<NodeId, InetSocketAddress> next = new LinkedHashMap<>();
        for (dev.keel.raft.Member m : membership.allMembers()) {
            if (m.id().equals(config.selfId())) {
                continue;
            }
            InetSocketAddress address = m.address().isEmpty() ? currentPeers.get(m.id()) : parseAddress(m);
            if (address == null) {
                LOG.warn("{}: member {} has no address in the configuration and none configured; it is unreachable",
                        config.selfId(), m.id());
            } else {
                next.put(m.id(), address);
            }
        }
        leaving.keySet().removeAll(next.keySet());
        boolean graceful = !config.removedMemberGrace().isZero() && group != null;
        for (Map.Entry<NodeId, InetSocketAddress> e : currentPeers.entrySet()) {
            NodeId id = e.getKey();
            if (next.containsKey(id)) {
                continue;
            }
            if (!graceful) {
                leaving.remove(id);
                continue;
            }
            next.put(id, e.getValue());
            if (!leaving.containsKey(id)) {
                Object token = new Object();
                leaving.put(id, token);
                group.schedule(() -> dropLeaving(id, token), config.removedMemberGrace().toMillis(),
                        TimeUnit.MILLISECONDS);
                LOG.info("{}: {} left the configuration; staying connected to it for {}", config.selfId(), id,
                        config.removedMemberGrace());
            }
        }
        if (!next.equals(currentPeers)) {
            applyPeers(next);
        }
    }

    private synchronized void dropLeaving(NodeId id, Object token) {
        if (leaving.get(id) != token) {
            return;
        }
        leaving.remove(id);
        if (lifecycle == Lifecycle.CLOSED || !currentPeers.containsKey(id)) {
            return;
        }
        Map<NodeId, InetSocketAddress> next = new LinkedHashMap<>(currentPeers);
        next.remove(id);
        applyPeers(next);
    }

    private InetSocketAddress parseAddress(dev.keel.raft.Member m) {
        String a = m.address();
        int colon = a.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new IllegalArgumentException("no port");
            }
            String host = a.startsWith("[") && a.substring(0, colon).endsWith("]") ? a.substring(1, colon - 1)
                    : a.substring(0, colon);
            return InetSocketAddress.createUnresolved(host, Integer.parseInt(a.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: member {} has an address that is not host:port: '{}'", config.selfId(), m.id(), a);
            return currentPeers.get(m.id());
        }
    }

    /** The current peers and their addresses. */
    public synchronized Map<NodeId, InetSocketAddress> peers() {
        return currentPeers;
    }

    /** The address this transport listens on (with the actual port when configured with port 0), once started. */
    public synchronized InetSocketAddress localAddress() {
        if (serverChannel == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The configuration this transport was built with (its peers as they were at construction). */
    public NettyTransportConfig config() {
        return config;
    }

    /**
     * Reports bytes, frames, drops and reconnects per peer to {@code metrics}
     * ({@link dev.keel.raft.metrics.KeelMetrics#TRANSPORT_SENT_BYTES} and the metrics after it); a {@code RaftServer}
     * calls it with its registry before starting the transport. {@link #stats()} keeps counting either way.
     */
    @Override
    public void bindMetrics(dev.keel.raft.metrics.MetricsRegistry metrics) {
        context.bindMetrics(Objects.requireNonNull(metrics, "metrics"));
    }

    /**
     * The socket implementation in use, decided at construction: {@code "epoll"}, Netty's native transport, when
     * {@link NettyTransportConfig#preferNativeTransport()} is on and its bundled library loads (Linux x86_64), or
     * {@code "nio"}, the JDK's.
     *
     * @return {@code "epoll"} or {@code "nio"}
     */
    public String ioMode() {
        return io.name();
    }

    /** A snapshot of the counters. */
    public TransportStats stats() {
        return counters.snapshot();
    }

    /**
     * Stops listening, closes every connection and drops queued messages, then stops the event loops, waiting up to
     * a few seconds for them. Idempotent. Must not be called from the inbound handler (it runs on those loops); if it
     * is, it does not wait.
     */
    @Override
    public void close() {
        EventLoopGroup g;
        synchronized (this) {
            if (lifecycle == Lifecycle.CLOSED) {
                return;
            }
            lifecycle = Lifecycle.CLOSED;
            if (peers != null) {
                peers.close();
            }
            if (serverChannel != null) {
                serverChannel.close();
            }
            context.closeInbound();
            g = group;
        }
        if (g == null) {
            return;
        }
        boolean onOwnLoop = false;
        for (EventExecutor loop : g) {
            onOwnLoop |= loop.inEventLoop();
        }
        var terminated = g.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (!onOwnLoop) {
            terminated.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        LOG.info("{}: transport closed", config.selfId());
    }

    @Override
    public String toString() {
        return "NettyTransport[" + config.selfId() + " " + lifecycle + "]";
    }
}
