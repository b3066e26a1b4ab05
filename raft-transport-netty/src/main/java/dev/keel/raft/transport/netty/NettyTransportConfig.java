package dev.keel.raft.transport.netty;

import dev.keel.raft.NodeId;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The immutable configuration of one {@link NettyTransport}. Build it with {@link #builder()}; each setter rejects a
 * bad value at once and {@link Builder#build()} checks the whole, with messages that say what to fix.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class NettyTransportConfig {
    /** Default {@link #maxFrameSize()}: 16 MiB, well above the engine's default 1 MiB of entries per message. */
    public static final int DEFAULT_MAX_FRAME_SIZE = 16 << 20;
    /** Default {@link #maxQueuedMessagesPerPeer()}. */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER = 1024;
    /** Default {@link #groupId()}. */
    public static final String DEFAULT_GROUP_ID = "default";

    static final int MIN_FRAME_SIZE = 4 << 10;
    static final int MAX_FRAME_SIZE = 1 << 30;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final NodeId selfId;
    private final String clusterId;
    private final String groupId;
    private final InetSocketAddress bindAddress;
    private final Map<NodeId, InetSocketAddress> peers;
    private final int maxFrameSize;
    private final int maxQueuedMessagesPerPeer;
    private final Duration connectTimeout;
    private final Duration reconnectBackoffMin;
    private final Duration reconnectBackoffMax;
    private final TlsConfig tls;
    private final int ioThreads;
    private final boolean preferNativeTransport;
    private final Duration removedMemberGrace;

    private NettyTransportConfig(Builder b) {
        this.selfId = b.selfId;
        this.clusterId = b.clusterId;
        this.groupId = b.groupId;
        this.bindAddress = b.bindAddress != null ? b.bindAddress : b.members.get(b.selfId);
        Map<NodeId, InetSocketAddress> p = new LinkedHashMap<>(b.members);
        p.remove(b.selfId);
        this.peers = Map.copyOf(p);
        this.maxFrameSize = b.maxFrameSize;
        this.maxQueuedMessagesPerPeer = b.maxQueuedMessagesPerPeer;
        this.connectTimeout = b.connectTimeout;
        this.reconnectBackoffMin = b.reconnectBackoffMin;
        this.reconnectBackoffMax = b.reconnectBackoffMax;
        this.tls = b.tls;
        this.ioThreads = b.ioThreads;
        this.preferNativeTransport = b.preferNativeTransport;
        this.removedMemberGrace = b.removedMemberGrace;
    }

    /** A builder with the defaults; {@code selfId}, {@code clusterId} and the addresses must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.selfId = selfId;
        b.clusterId = clusterId;
        b.groupId = groupId;
        b.bindAddress = bindAddress;
        b.members = new LinkedHashMap<>(peers);
        b.maxFrameSize = maxFrameSize;
        b.maxQueuedMessagesPerPeer = maxQueuedMessagesPerPeer;
        b.connectTimeout = connectTimeout;
        b.reconnectBackoffMin = reconnectBackoffMin;
        b.reconnectBackoffMax = reconnectBackoffMax;
        b.tls = tls;
        b.ioThreads = ioThreads;
        b.preferNativeTransport = preferNativeTransport;
        b.removedMemberGrace = removedMemberGrace;
        return b;
    }

    /** This node's id; the transport delivers only messages addressed to it. */
    public NodeId selfId() {
        return selfId;
    }

    /**
     * The cluster's name. A node refuses connections from a node of another cluster, which catches a node pointed
     * at the wrong addresses before it can disturb anything.
     */
    public String clusterId() {
        return clusterId;
    }

    /** The Raft group this transport carries; messages for another group are dropped. Default "default". */
    public String groupId() {
        return groupId;
    }

    /** Where this node listens for its peers' connections. Port 0 picks a free port. */
    public InetSocketAddress bindAddress() {
        return bindAddress;
    }

    /** The other members and the addresses they listen on (never contains {@link #selfId()}). */
    public Map<NodeId, InetSocketAddress> peers() {
        return peers;
    }

    /**
     * Largest frame accepted or sent, in bytes of serialized envelope (the 4-byte length prefix not counted). A peer that sends a larger frame is disconnected; a message that
     * would need a larger frame is dropped (and counted). Must exceed the engine's
     * {@code maxEntriesBytesPerMessage} plus per-entry overhead. Default 16 MiB.
     */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /** Messages waiting for one peer beyond which new ones are dropped (and counted). Default 1024. */
    public int maxQueuedMessagesPerPeer() {
        return maxQueuedMessagesPerPeer;
    }

    /** Time allowed for a TCP connect, and then again for the TLS and Keel handshakes. Default 3 s. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Wait before the first reconnection attempt after a failure. Default 50 ms. */
    public Duration reconnectBackoffMin() {
        return reconnectBackoffMin;
    }

    /** Cap of the exponentially growing wait between reconnection attempts. Default 5 s. */
    public Duration reconnectBackoffMax() {
        return reconnectBackoffMax;
    }

    /** Mutual TLS settings, if TLS is on (it is off by default). */
    public Optional<TlsConfig> tls() {
        return Optional.ofNullable(tls);
    }

    /** Netty event-loop threads of this transport. Default: half the processors, between 1 and 4. */
    public int ioThreads() {
        return ioThreads;
    }

    /** Whether to use the native epoll transport when it is available (Linux); NIO otherwise. Default true. */
    public boolean preferNativeTransport() {
        return preferNativeTransport;
    }

    /**
     * How long a member that left the configuration stays connected (both ways) after
     * {@link NettyTransport#membershipChanged} removed it. A leader that removed itself must still reach the
     * remaining members until its change commits; they append the new configuration, and would otherwise refuse
     * it, before the leader can learn of the commit. Zero drops removed members at once. Default 30 s.
     */
    public Duration removedMemberGrace() {
        return removedMemberGrace;
    }

    @Override
    public String toString() {
        return "NettyTransportConfig[self=" + selfId + ", cluster=" + clusterId + ", group=" + groupId + ", bind="
                + bindAddress + ", peers=" + peers + ", maxFrameSize=" + maxFrameSize + ", maxQueuedMessagesPerPeer="
                + maxQueuedMessagesPerPeer + ", connectTimeout=" + connectTimeout + ", reconnectBackoff="
                + reconnectBackoffMin + ".." + reconnectBackoffMax + ", tls=" + tls + ", ioThreads=" + ioThreads
                + ", preferNativeTransport=" + preferNativeTransport + ", removedMemberGrace=" + removedMemberGrace + "]";
    }

    /** Builds a {@link NettyTransportConfig}. Not thread-safe. */
    public static final class Builder {
        private NodeId selfId;
        private String clusterId;
        private String groupId = DEFAULT_GROUP_ID;
        private InetSocketAddress bindAddress;
        private Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
        private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
        private int maxQueuedMessagesPerPeer = DEFAULT_MAX_QUEUED_MESSAGES_PER_PEER;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration reconnectBackoffMin = Duration.ofMillis(50);
        private Duration reconnectBackoffMax = Duration.ofSeconds(5);
        private TlsConfig tls;
        private int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        private boolean preferNativeTransport = true;
        private Duration removedMemberGrace = Duration.ofSeconds(30);

        private Builder() {
        }

        /** Required: this node's id. */
        public Builder selfId(NodeId value) {
            this.selfId = Objects.requireNonNull(value, "selfId must not be null");
            return this;
        }

        /** Required: the cluster name, 1-64 characters from {@code [A-Za-z0-9._-]}, the same on every node. */
        public Builder clusterId(String value) {
            this.clusterId = requireId("clusterId", value);
            return this;
        }

        /** The Raft group, 1-64 characters from {@code [A-Za-z0-9._-]}, the same on every node. */
        public Builder groupId(String value) {
            this.groupId = requireId("groupId", value);
            return this;
        }

        /** Where to listen. Optional when {@link #members} contains this node's own address. */
        public Builder bindAddress(InetSocketAddress value) {
            this.bindAddress = Objects.requireNonNull(value, "bindAddress must not be null");
            return this;
        }

        /**
         * The members' addresses. May include this node (then its address is the default bind address) so that
         * every node can be given the same map; must include every other member this node talks to.
         */
        public Builder members(Map<NodeId, InetSocketAddress> value) {
            Objects.requireNonNull(value, "members must not be null");
            value.forEach((id, address) -> {
                Objects.requireNonNull(id, "members must not contain a null id");
                if (address == null) {
                    throw new IllegalArgumentException("members: the address of " + id + " is null; give host and port");
                }
            });
            this.members = new LinkedHashMap<>(value);
            return this;
        }

        /** See {@link NettyTransportConfig#maxFrameSize()}; between 4 KiB and 1 GiB. */
        public Builder maxFrameSize(int bytes) {
            if (bytes < MIN_FRAME_SIZE || bytes > MAX_FRAME_SIZE) {
                throw new IllegalArgumentException("maxFrameSize must be between " + MIN_FRAME_SIZE + " and "
                        + MAX_FRAME_SIZE + " bytes, was " + bytes);
            }
            this.maxFrameSize = bytes;
            return this;
        }

        /** See {@link NettyTransportConfig#maxQueuedMessagesPerPeer()}; between 1 and 1,000,000. */
        public Builder maxQueuedMessagesPerPeer(int messages) {
            if (messages < 1 || messages > 1_000_000) {
                throw new IllegalArgumentException(
                        "maxQueuedMessagesPerPeer must be between 1 and 1000000, was " + messages);
            }
            this.maxQueuedMessagesPerPeer = messages;
            return this;
        }

        /** See {@link NettyTransportConfig#connectTimeout()}; between 10 ms and 5 min. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = requireDuration("connectTimeout", value, Duration.ofMillis(10), Duration.ofMinutes(5));
            return this;
        }

        /**
         * The reconnection backoff: the first wait after a failure is {@code min}, doubling per consecutive failure up
         * to {@code max}, each randomised by up to -50% so that nodes do not retry in lockstep. Both between 1 ms and
         * 10 min, {@code min <= max}.
         */
        public Builder reconnectBackoff(Duration min, Duration max) {
            Duration lo = requireDuration("reconnectBackoff min", min, Duration.ofMillis(1), Duration.ofMinutes(10));
            Duration hi = requireDuration("reconnectBackoff max", max, Duration.ofMillis(1), Duration.ofMinutes(10));
            if (lo.compareTo(hi) > 0) {
                throw new IllegalArgumentException("reconnectBackoff min (" + lo + ") must not exceed max (" + hi + ")");
            }
            this.reconnectBackoffMin = lo;
            this.reconnectBackoffMax = hi;
            return this;
        }

        /** Turns mutual TLS on with {@code value}, or off with {@code null} (the default). */
        public Builder tls(TlsConfig value) {
            this.tls = value;
            return this;
        }

        /** See {@link NettyTransportConfig#ioThreads()}; between 1 and 64. */
        public Builder ioThreads(int value) {
            if (value < 1 || value > 64) {
                throw new IllegalArgumentException("ioThreads must be between 1 and 64, was " + value);
            }
            this.ioThreads = value;
            return this;
        }

        /** See {@link NettyTransportConfig#removedMemberGrace()}; between 0 and 1 hour. */
        public Builder removedMemberGrace(Duration value) {
            this.removedMemberGrace = requireDuration("removedMemberGrace", value, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /** See {@link NettyTransportConfig#preferNativeTransport()}. */
        public Builder preferNativeTransport(boolean value) {
            this.preferNativeTransport = value;
            return this;
        }

        /**
         * @throws IllegalArgumentException if a required value is missing, saying which
         */
        public NettyTransportConfig build() {
            if (selfId == null) {
                throw new IllegalArgumentException("selfId is required: set it to this node's id");
            }
            if (clusterId == null) {
                throw new IllegalArgumentException(
                        "clusterId is required: set the same cluster name on every node of the cluster");
            }
            if (bindAddress == null && !members.containsKey(selfId)) {
                throw new IllegalArgumentException("no address to listen on: set bindAddress, or include " + selfId
                        + " in members");
            }
            return new NettyTransportConfig(this);
        }

        private static String requireId(String name, String value) {
            if (value == null || !ID.matcher(value).matches()) {
                throw new IllegalArgumentException(
                        name + " must be 1-64 characters from [A-Za-z0-9._-], was '" + value + "'");
            }
            return value;
        }

        private static Duration requireDuration(String name, Duration value, Duration min, Duration max) {
            if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        }
    }
}
