package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.InboundHandler;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What the handlers of one transport share: identity, the current member set, the inbound handler, counters and
 * rate-limited logs. Thread-safe: the member set and handler are volatile snapshots, replaced whole.
 */
public final class TransportContext {
    static final Logger LOG = LoggerFactory.getLogger("dev.keel.raft.transport.netty");
    static final int PROTOCOL_VERSION = 2;
    private static final AttributeKey<NodeId> PEER = AttributeKey.valueOf(TransportContext.class, "peer");
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    final NodeId selfId;
    final String clusterId;
    final String groupId;
    final int maxFrameSize;
    final Duration connectTimeout;
    final Counters counters;
    final PeerMeters.Registry peerMeters = new PeerMeters.Registry();
    final RaftMessageEncoder messageEncoder;
    final RateLimitedLog badInputLog = new RateLimitedLog(LOG, LOG_INTERVAL);
    final RateLimitedLog refusedLog = new RateLimitedLog(LOG, LOG_INTERVAL);
    final RateLimitedLog droppedLog = new RateLimitedLog(LOG, LOG_INTERVAL);
    final RateLimitedLog localFaultLog = new RateLimitedLog(LOG, LOG_INTERVAL);
    private final ChannelGroup inboundChannels = new DefaultChannelGroup("keel-inbound", GlobalEventExecutor.INSTANCE);
    private volatile Set<NodeId> members;
    private volatile InboundHandler handler;

    public TransportContext(NodeId selfId, String clusterId, String groupId, int maxFrameSize, Duration connectTimeout,
                            Set<NodeId> members, Counters counters) {
        this.selfId = Objects.requireNonNull(selfId);
        this.clusterId = Objects.requireNonNull(clusterId);
        this.groupId = Objects.requireNonNull(groupId);
        this.maxFrameSize = maxFrameSize;
        this.connectTimeout = Objects.requireNonNull(connectTimeout);
        this.members = Set.copyOf(members);
        this.counters = Objects.requireNonNull(counters);
        this.messageEncoder = new RaftMessageEncoder(groupId);
    }

    /** Reports per-peer traffic to {@code metrics} from now on (before the transport starts). */
    public void bindMetrics(dev.keel.raft.metrics.MetricsRegistry metrics) {
        peerMeters.bind(metrics);
    }

    /** Starts delivering to {@code h}; until then inbound messages are dropped. */
    public void handler(InboundHandler h) {
        this.handler = h;
    }

    /** Whether {@code id} is currently a peer allowed to connect. */
    boolean isMember(NodeId id) {
        return members.contains(id);
    }

    /**
     * Replaces the member set and closes inbound connections from nodes no longer in it, so that a removed node
     * stops being heard at once rather than when its connection happens to drop.
     */
    public void members(Set<NodeId> newMembers) {
        this.members = Set.copyOf(newMembers);
        for (Channel ch : inboundChannels) {
            NodeId peer = ch.attr(PEER).get();
            if (peer != null && !newMembers.contains(peer)) {
                LOG.info("{}: closing inbound connection from {}: no longer a member", selfId, peer);
                ch.close();
            }
        }
    }

    /** Records an inbound connection that passed its handshake. */
    void inboundAccepted(Channel ch, NodeId peer) {
        ch.attr(PEER).set(peer);
        inboundChannels.add(ch);
        // A removal racing with this handshake would otherwise leave the connection open.
        if (!isMember(peer)) {
            ch.close();
        }
    }

    /** Number of open inbound connections that passed the handshake. */
    public int inboundConnections() {
        return inboundChannels.size();
    }

    /** Closes every inbound connection. */
    public void closeInbound() {
        inboundChannels.close();
    }

    void deliver(RaftMessage message) {
        InboundHandler h = handler;
        if (h == null) {
            counters.droppedInbound.increment();
            return;
        }
        counters.messagesReceived.increment();
        h.onMessage(message);
    }

    void peerUnreachable(NodeId peer) {
        InboundHandler h = handler;
        if (h != null) {
            try {
                h.onPeerUnreachable(peer);
            } catch (RuntimeException e) {
                LOG.warn("{}: inbound handler failed in onPeerUnreachable({})", selfId, peer, e);
            }
        }
    }
}
