package dev.keel.raft.transport.netty;

import dev.keel.raft.testing.Await;
import dev.keel.raft.NodeId;
import dev.keel.raft.exception.RaftException;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.ReadIndexRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reconnection, unreachable peers, queue bounds, frame limits and peer-set changes, over real sockets. */
class ConnectionLifecycleTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    private LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPeerRestartedOnTheSamePortIsReconnectedAndTheUnreachableSpellReported() {
        cluster = LocalCluster.of(A, B);
        cluster.awaitDelivery(A, B, 1);
        InetSocketAddress bAddress = cluster.get(B).localAddress();

        cluster.get(B).close();
        // While b is down, a's attempts fail: the engine hears about it and the messages are dropped, not queued.
        Await.until("a to report b unreachable", () -> {
            cluster.get(A).send(new Heartbeat(A, B, 2, 0, 0));
            return cluster.inbox(A).unreachable.contains(B);
        });
        assertThat(cluster.get(A).stats().droppedUnreachable()).isPositive();

        cluster.startNode(B, bAddress);
        cluster.get(B).updatePeers(Map.of(A, cluster.get(A).localAddress()));
        cluster.awaitDelivery(A, B, 3);
        cluster.awaitDelivery(B, A, 3);
        assertThat(cluster.inbox(B).has(m -> m.term() == 2)).isFalse();
    }

    @Test
    void aPeerThatNeverListensCostsTheSenderNothingButDrops() {
        InetSocketAddress nobody = LoopbackPorts.freeAddress();
        cluster = LocalCluster.of(A);
        cluster.get(A).updatePeers(Map.of(B, nobody));
        long start = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            cluster.get(A).send(new Heartbeat(A, B, 1, 0, 0));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        Await.until("the failure to be reported", () -> cluster.inbox(A).unreachable.contains(B));
        Await.until("every message accounted as dropped", () -> {
            TransportStats s = cluster.get(A).stats();
            return s.droppedUnreachable() + s.droppedQueueFull() == 10_000;
        });
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws IOException {
        // A peer that accepts TCP connections but never answers the handshake: messages queue and never drain.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            cluster = LocalCluster.of(b -> b.maxQueuedMessagesPerPeer(10).connectTimeout(Duration.ofSeconds(30)), A);
            cluster.get(A).updatePeers(Map.of(B, new InetSocketAddress("127.0.0.1", silent.getLocalPort())));
            for (int i = 0; i < 100; i++) {
                cluster.get(A).send(new ReadIndexRequest(A, B, 1, i));
            }
            try (Socket accepted = silent.accept()) {
                assertThat(accepted.isConnected()).isTrue();
                TransportStats s = cluster.get(A).stats();
                assertThat(s.droppedQueueFull()).isEqualTo(90);
                assertThat(s.messagesSent()).isZero();
            }
        }
    }

    @Test
    void aMessageLargerThanTheMaximumFrameIsDroppedAndTheConnectionKept() {
        cluster = LocalCluster.of(b -> b.maxFrameSize(8 * 1024), A, B);
        cluster.awaitDelivery(A, B, 1);
        AppendEntriesRequest tooBig = new AppendEntriesRequest(A, B, 1, 0, 0,
                List.of(LogEntry.command(1, 1, new byte[16 * 1024])), 0);
        cluster.get(A).send(tooBig);
        Await.until("the oversized message to be counted", () -> cluster.get(A).stats().droppedTooLarge() == 1);
        cluster.awaitDelivery(A, B, 2);
        assertThat(cluster.inbox(B).has(m -> m instanceof AppendEntriesRequest)).isFalse();
        assertThat(cluster.get(B).stats().connectionsClosedOnError()).isZero();
    }

    @Test
    void messagesToOneNodeArriveInTheOrderTheyWereSent() {
        // A queue that holds the whole burst plus any warm-up heartbeats still queued, so that none is dropped.
        cluster = LocalCluster.of(b -> b.maxQueuedMessagesPerPeer(10_000), A, B);
        cluster.awaitDelivery(A, B, 1);
        for (int i = 0; i < 5000; i++) {
            cluster.get(A).send(new ReadIndexRequest(A, B, 1, i));
        }
        Await.until("all 5000 messages", () -> cluster.inbox(B).count(m -> m instanceof ReadIndexRequest) == 5000);
        assertThat(cluster.get(A).stats().droppedQueueFull()).isZero();
        assertThat(cluster.inbox(B).received.stream().filter(m -> m instanceof ReadIndexRequest)
                .map(m -> ((ReadIndexRequest) m).requestId()).toList()).isSorted();
    }

    @Test
    void aNodeAddedAtRuntimeCanConnectAndARemovedOneIsCutOffBothWays() {
        cluster = LocalCluster.of(A, B, C);
        // a knows only b at first: c is refused as a non-member, and a cannot address c.
        cluster.get(A).updatePeers(Map.of(B, cluster.get(B).localAddress()));
        cluster.awaitDelivery(A, B, 1);
        cluster.awaitDelivery(B, A, 1);
        Await.until("a to refuse c", () -> {
            cluster.get(C).send(new Heartbeat(C, A, 1, 0, 0));
            return cluster.get(A).stats().handshakesRefused() > 0;
        });
        cluster.get(A).send(new Heartbeat(A, C, 1, 0, 0));
        assertThat(cluster.get(A).stats().droppedUnknownPeer()).isEqualTo(1);

        // c joins.
        cluster.get(A).updatePeers(cluster.addresses());
        cluster.awaitDelivery(C, A, 2);
        cluster.awaitDelivery(A, C, 2);

        // b leaves: its open connection to a is closed at once and sends to it are dropped.
        Map<NodeId, InetSocketAddress> withoutB = new java.util.LinkedHashMap<>(cluster.addresses());
        withoutB.remove(B);
        cluster.get(A).updatePeers(withoutB);
        long fromBBefore = cluster.inbox(A).count(m -> m.from().equals(B));
        long refusedBefore = cluster.get(A).stats().handshakesRefused();
        Await.until("b's reconnection attempts to be refused", () -> {
            cluster.get(B).send(new Heartbeat(B, A, 3, 0, 0));
            return cluster.get(A).stats().handshakesRefused() > refusedBefore;
        });
        assertThat(cluster.inbox(A).count(m -> m.from().equals(B) && m.term() == 3)).isZero();
        assertThat(cluster.inbox(A).count(m -> m.from().equals(B))).isEqualTo(fromBBefore);
        long unknownBefore = cluster.get(A).stats().droppedUnknownPeer();
        cluster.get(A).send(new Heartbeat(A, B, 3, 0, 0));
        assertThat(cluster.get(A).stats().droppedUnknownPeer()).isEqualTo(unknownBefore + 1);
        // And a still talks to c.
        cluster.awaitDelivery(A, C, 4);
    }

    @Test
    void aPeerWhoseAddressChangesIsReachedAtTheNewAddress() {
        cluster = LocalCluster.of(A, B);
        cluster.awaitDelivery(A, B, 1);
        cluster.get(B).close();
        cluster.startNode(B, new InetSocketAddress("127.0.0.1", 0));
        cluster.connectAll();
        cluster.awaitDelivery(A, B, 2);
    }

    @Test
    void aPeerGivenByAnUnresolvedHostNameIsReached() {
        cluster = LocalCluster.of(A, B);
        // "localhost" comes from the hosts file: no DNS traffic leaves the machine.
        InetSocketAddress byName = InetSocketAddress.createUnresolved("localhost", cluster.get(B).localAddress().getPort());
        cluster.get(A).updatePeers(Map.of(B, byName));
        cluster.awaitDelivery(A, B, 1);
        cluster.awaitDelivery(B, A, 1);
    }

    @Test
    void startingOnATakenPortFailsWithTheAddress() {
        cluster = LocalCluster.of(A);
        InetSocketAddress taken = cluster.get(A).localAddress();
        NettyTransport second = new NettyTransport(LocalCluster.baseConfig(B, taken).build());
        assertThatThrownBy(() -> second.start(new Inbox()))
                .isInstanceOf(RaftException.class).hasMessageContaining(String.valueOf(taken.getPort()));
        second.close();
    }

    @Test
    void startTwiceIsRejectedAndSendBeforeStartIsDropped() {
        NettyTransport t = new NettyTransport(LocalCluster.baseConfig(A, new InetSocketAddress("127.0.0.1", 0))
                .build());
        try {
            t.send(new Heartbeat(A, B, 1, 0, 0));
            assertThat(t.stats().droppedUnreachable()).isEqualTo(1);
            t.start(new Inbox());
            assertThatThrownBy(() -> t.start(new Inbox())).isInstanceOf(IllegalStateException.class);
        } finally {
            t.close();
        }
    }

    @Test
    void theNioTransportWorksToo() {
        cluster = LocalCluster.of(b -> b.preferNativeTransport(false), A, B);
        cluster.awaitDelivery(A, B, 1);
        cluster.awaitDelivery(B, A, 1);
    }
}
