package dev.keel.raft.examples.kv;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftServer;
import dev.keel.raft.examples.kv.config.NodeConfig;
import dev.keel.raft.examples.kv.config.PeerConfig;
import dev.keel.raft.examples.kv.forward.Forwarder;
import dev.keel.raft.examples.kv.resp.ClientIo;
import dev.keel.raft.examples.kv.resp.CommandTable;
import dev.keel.raft.examples.kv.resp.InfoReport;
import dev.keel.raft.examples.kv.resp.RespServer;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.transport.netty.NettyTransport;
import dev.keel.raft.transport.netty.NettyTransportConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One KV node: a {@link RaftServer} replicating a {@link KvStateMachine} over {@link NettyTransport}, and a RESP2
 * server on the client port in front of it.
 *
 * <p>Lifecycle: {@link #start} binds both ports and joins the cluster, or fails with a message naming what is wrong
 * (and releases whatever it had opened); {@link #close()} stops serving clients, then stops Raft and closes the
 * storage. Thread-safe.
 */
public final class KvNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KvNode.class);
    private static final Duration FORWARD_CONNECT_TIMEOUT = Duration.ofSeconds(1);

    private final NodeConfig config;
    private final KvStateMachine stateMachine = new KvStateMachine();
    private final ScheduledExecutorService timer;
    private final ExecutorService resolver;
    private final EventLoopGroup group;
    private final RaftServer raft;
    private final Forwarder forwarder;
    private final RespServer resp;
    private volatile boolean closed;

    private KvNode(NodeConfig config, LogStorage logStorage, SnapshotStorage snapshotStorage) {
        this.config = config;
        String id = config.id().value();
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("kv-timer-" + id, true));
        this.resolver = Executors.newCachedThreadPool(new DefaultThreadFactory("kv-resolve-" + id, true));
        ClientIo io = ClientIo.detect();
        this.group = io.newGroup(config.clientThreads(), "kv-" + id);

        LeaderTracker tracker = new LeaderTracker(timer);
        this.raft = RaftServer.builder()
                .id(config.id())
                .members(config.memberIds())
                .config(config.raft())
                .stateMachine(stateMachine)
                .logStorage(logStorage)
                .snapshotStorage(snapshotStorage)
                .transport(new NettyTransport(transportConfig(config)))
                .listener(tracker)
                .build();
        Map<NodeId, InetSocketAddress> clientAddresses = new LinkedHashMap<>();
        for (PeerConfig p : config.peers()) {
            clientAddresses.put(p.id(), p.client().unresolved());
        }
        this.forwarder = new Forwarder(clientAddresses, group, io.socketChannel(), resolver, FORWARD_CONNECT_TIMEOUT,
                config.requestTimeout());
        RaftGateway gateway = new RaftGateway(raft, forwarder, tracker, timer, config.leaderWait(),
                config.requestTimeout());
        RespServer[] self = new RespServer[1];
        InfoReport info = new InfoReport(raft::status, stateMachine::keyCount,
                () -> self[0] == null ? 0 : self[0].connectedClients(), config.clientPort(), config.raftPort());
        this.resp = new RespServer(new InetSocketAddress(config.bind(), config.clientPort()),
                new CommandTable(gateway, info), config.maxValueBytes(), group, io);
        self[0] = resp;
    }

    /**
     * Starts a node on the given storage (the node owns it from now on and closes it).
     *
     * @throws IllegalStateException or {@link dev.keel.raft.exception.RaftException} naming the port or the problem
     *                               if the node cannot start; everything opened so far is closed again
     */
    public static KvNode start(NodeConfig config, LogStorage logStorage, SnapshotStorage snapshotStorage) {
        Objects.requireNonNull(config, "config");
        KvNode node = null;
        try {
            node = new KvNode(config, logStorage, snapshotStorage);
            node.resp.start();
            node.raft.start();
        } catch (RuntimeException e) {
            if (node != null) {
                node.close();
            } else {
                logStorage.close();
                snapshotStorage.close();
            }
            throw e;
        }
        log.info("node {} started: clients on {}:{}, raft on {}:{}, members {}", config.id(), config.bind(),
                node.resp.port(), config.bind(), config.raftPort(), config.memberIds());
        return node;
    }

    private static NettyTransportConfig transportConfig(NodeConfig config) {
        Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
        members.put(config.id(), new InetSocketAddress(config.bind(), config.raftPort()));
        for (PeerConfig p : config.peers()) {
            members.put(p.id(), p.raft().unresolved());
        }
        return NettyTransportConfig.builder()
                .selfId(config.id())
                .clusterId(config.clusterId())
                .members(members)
                .build();
    }

    /** The node's configuration. */
    public NodeConfig config() {
        return config;
    }

    /** The Raft server inside (for status and tests). */
    public RaftServer raft() {
        return raft;
    }

    /** The port clients connect to (useful when configured as 0 in tests). */
    public int clientPort() {
        return resp.port();
    }

    /** Whether {@link #close()} was called or Raft stopped on a fatal error. */
    public boolean isClosed() {
        return closed || raft.isClosed();
    }

    /** Stops serving clients, then stops Raft (which closes the transport and storage). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("node {} stopping", config.id());
        resp.close();
        forwarder.close();
        raft.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        timer.shutdownNow();
        resolver.shutdownNow();
        log.info("node {} stopped", config.id());
    }
}
