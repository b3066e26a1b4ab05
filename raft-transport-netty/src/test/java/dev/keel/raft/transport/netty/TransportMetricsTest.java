package dev.keel.raft.transport.netty;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.Metric;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.RecordingMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Bytes, frames, drops and reconnects are counted per peer, both ways, over real sockets. */
class TransportMetricsTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    private final List<NettyTransport> started = new ArrayList<>();

    @AfterEach
    void closeAll() {
        started.forEach(NettyTransport::close);
    }

    private NettyTransport start(NodeId id, InetSocketAddress bind, Map<NodeId, InetSocketAddress> peers,
                                 RecordingMetrics metrics, Inbox inbox) {
        NettyTransport t = new NettyTransport(LocalCluster.baseConfig(id, bind).members(withSelf(id, bind, peers))
                .build());
        t.bindMetrics(metrics);
        t.start(inbox);
        started.add(t);
        return t;
    }

    private static Map<NodeId, InetSocketAddress> withSelf(NodeId id, InetSocketAddress bind,
                                                          Map<NodeId, InetSocketAddress> peers) {
        Map<NodeId, InetSocketAddress> all = new java.util.LinkedHashMap<>(peers);
        all.put(id, bind);
        return all;
    }

    private static long count(RecordingMetrics m, Metric metric, NodeId peer) {
        return m.count(metric, Map.of("peer", peer.value()));
    }

    @Test
    void framesAndBytesAreCountedPerPeerOnBothSidesAndReconnectsAndDropsOnceThePeerGoes() {
        InetSocketAddress aAddress = LoopbackPorts.freeAddress();
        InetSocketAddress bAddress = LoopbackPorts.freeAddress();
        RecordingMetrics aMetrics = new RecordingMetrics();
        RecordingMetrics bMetrics = new RecordingMetrics();
        Inbox bInbox = new Inbox();
        NettyTransport a = start(A, aAddress, Map.of(B, bAddress), aMetrics, new Inbox());
        NettyTransport b = start(B, bAddress, Map.of(A, aAddress), bMetrics, bInbox);

        for (int i = 1; i <= 50; i++) {
            a.send(new Heartbeat(A, B, i, 0, 0));
        }
        Await.until("b to receive 50 messages", () -> bInbox.received.size() == 50);
        assertThat(count(aMetrics, KeelMetrics.TRANSPORT_SENT_FRAMES, B)).isEqualTo(50);
        assertThat(count(bMetrics, KeelMetrics.TRANSPORT_RECEIVED_FRAMES, A)).as("the handshake is not a message")
                .isEqualTo(50);
        Await.until("every byte a wrote counted by b, handshake included", () ->
                count(aMetrics, KeelMetrics.TRANSPORT_SENT_BYTES, B) > 50
                        && count(aMetrics, KeelMetrics.TRANSPORT_SENT_BYTES, B)
                        == count(bMetrics, KeelMetrics.TRANSPORT_RECEIVED_BYTES, A));
        Await.until("b's handshake answer counted on both sides", () ->
                count(bMetrics, KeelMetrics.TRANSPORT_SENT_BYTES, A) > 0
                        && count(bMetrics, KeelMetrics.TRANSPORT_SENT_BYTES, A)
                        == count(aMetrics, KeelMetrics.TRANSPORT_RECEIVED_BYTES, B));
        assertThat(count(aMetrics, KeelMetrics.TRANSPORT_RECONNECTS, B)).isZero();

        b.close();
        Await.until("a to reconnect in vain and drop messages for b", () -> {
            a.send(new Heartbeat(A, B, 100, 0, 0));
            return count(aMetrics, KeelMetrics.TRANSPORT_RECONNECTS, B) >= 2
                    && aMetrics.count(KeelMetrics.TRANSPORT_DROPS, Map.of("peer", "b", "reason", "unreachable")) > 0;
        });
        assertThat(aMetrics.count(KeelMetrics.TRANSPORT_DROPS, Map.of("peer", "b", "reason", "queue_full")))
                .isZero();
    }
}
