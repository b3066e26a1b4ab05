package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.NodeId;
import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.MetricsRegistry;
import dev.keel.raft.metrics.MetricsRegistry.Counter;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics of the traffic with one peer ({@code peer} tag): bytes and frames each way, drops by reason,
 * reconnects. Created once per peer and kept, so a peer that leaves and comes back continues its series.
 * Thread-safe.
 */
public final class PeerMeters {
    final Counter sentBytes;
    final Counter receivedBytes;
    final Counter sentFrames;
    final Counter receivedFrames;
    final Counter droppedQueueFull;
    final Counter droppedUnreachable;
    final Counter droppedTooLarge;
    final Counter reconnects;

    private PeerMeters(MetricsRegistry registry, NodeId peer) {
        Map<String, String> tags = Map.of("peer", peer.value());
        sentBytes = registry.counter(KeelMetrics.TRANSPORT_SENT_BYTES, tags);
        receivedBytes = registry.counter(KeelMetrics.TRANSPORT_RECEIVED_BYTES, tags);
        sentFrames = registry.counter(KeelMetrics.TRANSPORT_SENT_FRAMES, tags);
        receivedFrames = registry.counter(KeelMetrics.TRANSPORT_RECEIVED_FRAMES, tags);
        droppedQueueFull = drops(registry, peer, "queue_full");
        droppedUnreachable = drops(registry, peer, "unreachable");
        droppedTooLarge = drops(registry, peer, "too_large");
        reconnects = registry.counter(KeelMetrics.TRANSPORT_RECONNECTS, tags);
    }

    private static Counter drops(MetricsRegistry registry, NodeId peer, String reason) {
        return registry.counter(KeelMetrics.TRANSPORT_DROPS, Map.of("peer", peer.value(), "reason", reason));
    }

    /** Every peer's meters, from one registry. */
    public static final class Registry {
        private volatile MetricsRegistry registry = MetricsRegistry.noop();
        private final Map<NodeId, PeerMeters> peers = new ConcurrentHashMap<>();

        /** Reports to {@code metrics} from now on (called before the transport starts). */
        public void bind(MetricsRegistry metrics) {
            registry = metrics;
            peers.clear();
        }

        /** The meters of {@code peer}, created on first use. */
        PeerMeters of(NodeId peer) {
            return peers.computeIfAbsent(peer, p -> new PeerMeters(registry, p));
        }
    }
}
