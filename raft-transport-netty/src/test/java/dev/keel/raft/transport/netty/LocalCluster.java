package dev.keel.raft.transport.netty;

import dev.keel.raft.testing.Await;
import dev.keel.raft.NodeId;
import dev.keel.raft.message.Heartbeat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * Transports on 127.0.0.1 for the socket tests: each binds port 0 (the OS picks a free port, no races), then every
 * node is told the others' actual addresses with {@link NettyTransport#updatePeers}. Closes everything it started.
 */
final class LocalCluster implements AutoCloseable {
    static final String CLUSTER = "test-cluster";

    final Map<NodeId, NettyTransport> transports = new LinkedHashMap<>();
    final Map<NodeId, Inbox> inboxes = new LinkedHashMap<>();
    private final Map<NodeId, NettyTransport> retired = new LinkedHashMap<>();
    private final BiFunction<NodeId, NettyTransportConfig.Builder, NettyTransportConfig.Builder> customize;

    LocalCluster(BiFunction<NodeId, NettyTransportConfig.Builder, NettyTransportConfig.Builder> customize) {
        this.customize = customize;
    }

    /** Fast reconnection so that the tests do not wait on backoff. */
    static NettyTransportConfig.Builder baseConfig(NodeId id, InetSocketAddress bind) {
        return NettyTransportConfig.builder()
                .selfId(id)
                .clusterId(CLUSTER)
                .bindAddress(bind)
                .connectTimeout(Duration.ofSeconds(2))
                .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100))
                .ioThreads(1);
    }

    static LocalCluster of(NodeId... ids) {
        return of(b -> b, ids);
    }

    static LocalCluster of(UnaryOperator<NettyTransportConfig.Builder> customize, NodeId... ids) {
        return perNode((id, b) -> customize.apply(b), ids);
    }

    /** Nodes configured individually, e.g. each with its own TLS certificate. */
    static LocalCluster perNode(BiFunction<NodeId, NettyTransportConfig.Builder, NettyTransportConfig.Builder> customize,
                                NodeId... ids) {
        LocalCluster c = new LocalCluster(customize);
        for (NodeId id : ids) {
            c.startNode(id, new InetSocketAddress("127.0.0.1", 0));
        }
        c.connectAll();
        return c;
    }

    /** Starts a transport for {@code id} bound to {@code bind}, replacing (not closing) any previous one. */
    NettyTransport startNode(NodeId id, InetSocketAddress bind) {
        NettyTransport previous = transports.get(id);
        if (previous != null) {
            retired.put(id, previous);
        }
        NettyTransport t = new NettyTransport(customize.apply(id, baseConfig(id, bind)).build());
        Inbox inbox = new Inbox();
        t.start(inbox);
        transports.put(id, t);
        inboxes.put(id, inbox);
        return t;
    }

    /** Tells every node every other node's current address. */
    void connectAll() {
        Map<NodeId, InetSocketAddress> addresses = addresses();
        transports.values().forEach(t -> t.updatePeers(addresses));
    }

    Map<NodeId, InetSocketAddress> addresses() {
        Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
        transports.forEach((id, t) -> addresses.put(id, t.localAddress()));
        return addresses;
    }

    NettyTransport get(NodeId id) {
        return transports.get(id);
    }

    Inbox inbox(NodeId id) {
        return inboxes.get(id);
    }

    /** Sends heartbeats from {@code from} to {@code to} until one with {@code term} arrives. */
    void awaitDelivery(NodeId from, NodeId to, long term) {
        Heartbeat hb = new Heartbeat(from, to, term, 0, 0);
        Await.until(from + " -> " + to + " delivery (term " + term + ")", () -> {
            get(from).send(hb);
            return inbox(to).has(hb::equals);
        });
    }

    @Override
    public void close() {
        transports.values().forEach(NettyTransport::close);
        retired.values().forEach(NettyTransport::close);
    }
}
