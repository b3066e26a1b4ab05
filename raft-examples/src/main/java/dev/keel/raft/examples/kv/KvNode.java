package dev.keel.raft.examples.kv;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftServer;
import dev.keel.raft.examples.kv.config.HostPort;
import dev.keel.raft.examples.kv.config.NodeConfig;
import dev.keel.raft.examples.kv.config.PeerConfig;
import dev.keel.raft.examples.kv.resp.ClientIo;
import dev.keel.raft.examples.kv.resp.ClientRegistry;
import dev.keel.raft.examples.kv.resp.RefusalLog;
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
import java.util.ArrayList;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
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

    private final NodeConfig config;
    private final KvStateMachine stateMachine;
    private final ScheduledExecutorService timer;
    private final EventLoopGroup group;
    private final RaftServer raft;
    private final RespServer resp;
    private final NettyTransport transport;
    private final MembershipAdmin admin;
    private final RaftGateway gateway;
    private volatile boolean closed;

    private KvNode(NodeConfig config, LogStorage logStorage, SnapshotStorage snapshotStorage,
                   Map<NodeId, HostPort> joinedMembers, Clock clock) {
        this.config = config;
        this.stateMachine = new KvStateMachine(clock::millis);
        String id = config.id().value();
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("kv-timer-" + id, true));
        ClientIo io = ClientIo.detect();
        this.group = io.newGroup(config.clientThreads(), "kv-" + id);

        LeaderTracker tracker = new LeaderTracker(timer);
        Duration adminTimeout = adminTimeout(config);
        this.transport = new NettyTransport(transportConfig(config, joinedMembers));
        RaftServer.Builder builder = RaftServer.builder();
        if (config.joining()) {
            builder.joining();
        } else {
            builder.initialMembership(initialMembership(config));
        }
        this.raft = builder
                .id(config.id())
                // Opening a connection's session gives up when no leader appears within leader_wait_ms (-TRYAGAIN).
                .config(config.raft().toBuilder().sessionDeadline(config.leaderWait()).build())
                .stateMachine(stateMachine)
                .logStorage(logStorage)
                .snapshotStorage(snapshotStorage)
                .transport(transport)
                .clock(clock)
                .listener(tracker)
                .build();
        this.gateway = new RaftGateway(raft, tracker, timer, config.leaderWait(), config.requestTimeout());
        this.admin = new MembershipAdmin(raft, tracker, this::configuredRaftAddress, this::clientAddress, timer,
                config.leaderWait(), adminTimeout);
        ClientRegistry clients = new ClientRegistry();
        InfoReport info = new InfoReport(raft::status, stateMachine::keyCount, stateMachine::expiringKeyCount,
                clients, config.clientPort(), config.raftPort());
        RefusalLog refusals = new RefusalLog();
        long maxCommandBytes = RespServer.maxCommandBytes(config.maxValueBytes());
        this.resp = new RespServer(new InetSocketAddress(config.bind(), config.clientPort()),
                new CommandTable(gateway, info, admin, config.users(), clients, refusals, maxCommandBytes),
                config.maxValueBytes(), group, io, config.security().clientTls(), refusals);
    }

    /**
     * The configuration a new cluster starts with: every member with its Raft address (this node's as advertised), so
     * that members added later learn where to reach them from the configuration itself.
     */
    static Membership initialMembership(NodeConfig config) {
        List<Member> voters = new ArrayList<>();
        voters.add(new Member(config.id(), config.advertisedRaft().toString()));
        for (PeerConfig p : config.peers()) {
            voters.add(new Member(p.id(), p.raft().toString()));
        }
        return Membership.ofVoters(voters);
    }

    /** Where a member serves clients, as far as this node's configuration says ("" for members added later). */
    private String clientAddress(NodeId id) {
        if (id.equals(config.id())) {
            return config.advertisedClient().toString();
        }
        return config.peers().stream().filter(p -> p.id().equals(id)).findFirst().map(p -> p.client().toString())
                .orElse("");
    }

    private String configuredRaftAddress(NodeId id) {
        if (id.equals(config.id())) {
            return config.advertisedRaft().toString();
        }
        InetSocketAddress a = transport.peers().get(id);
        return a == null ? "" : new HostPort(a.getHostString(), a.getPort()).toString();
    }

    /**
     * Starts a node on the given storage (the node owns it from now on and closes it).
     *
     * @throws IllegalStateException or {@link dev.keel.raft.exception.RaftException} naming the port or the problem
     *                               if the node cannot start; everything opened so far is closed again
     */
    public static KvNode start(NodeConfig config, LogStorage logStorage, SnapshotStorage snapshotStorage) {
        return start(config, logStorage, snapshotStorage, Clock.systemUTC());
    }

    /**
     * As {@link #start(NodeConfig, LogStorage, SnapshotStorage)}, with the clock this node stamps log entries with
     * when it leads and judges expiry by in reads (tests give nodes skewed clocks).
     */
    public static KvNode start(NodeConfig config, LogStorage logStorage, SnapshotStorage snapshotStorage,
                               Clock clock) {
        Objects.requireNonNull(config, "config");
        KvNode node = null;
        try {
            Map<NodeId, HostPort> joinedMembers = Map.of();
            if (config.joining()) {
                ClusterJoin.requireEmpty(config, logStorage, snapshotStorage);
                joinedMembers = ClusterJoin.discover(config);
            }
            node = new KvNode(config, logStorage, snapshotStorage, joinedMembers, clock);
            node.resp.start();
            node.raft.start();
            if (config.joining()) {
                KvNode started = node;
                ClusterJoin.requestAdd(config, adminTimeout(config), started::isClosed, why -> {
                    log.error("node {} stops: {}", config.id(), why);
                    started.close();
                });
            }
        } catch (RuntimeException e) {
            if (node != null) {
                node.close();
            } else {
                logStorage.close();
                snapshotStorage.close();
            }
            throw e;
        }
        warnIfExposed(config);
        log.info("node {} started: clients on {}:{}, raft on {}:{}, advertised as {}, {}", config.id(), config.bind(),
                node.resp.port(), config.bind(), config.raftPort(), config.advertise(),
                config.joining() ? "joining through " + config.join() : "members " + config.memberIds());
        return node;
    }

    /** Warns about a client port open beyond this machine without authentication, or with passwords in clear. */
    private static void warnIfExposed(NodeConfig config) {
        boolean local;
        try {
            local = java.net.InetAddress.getByName(config.bind()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            local = false;
        }
        if (local) {
            return;
        }
        if (!config.users().required()) {
            log.warn("node {}: clients on {}:{} need no password: anyone who reaches the port may run any command, "
                    + "membership changes included (set requirepass or [[users]] in node.toml)", config.id(),
                    config.bind(), config.clientPort());
        } else if (config.security().passwordsInClear()) {
            log.warn("node {}: clients on {}:{} send their passwords without TLS (set [client_tls] in node.toml)",
                    config.id(), config.bind(), config.clientPort());
        }
        if (config.security().raftTls().isEmpty()) {
            log.warn("node {}: the Raft port {}:{} has no TLS: anyone who reaches it and knows the cluster id can "
                    + "pose as a member (set [raft_tls] in node.toml)", config.id(), config.bind(), config.raftPort());
        }
    }

    /** How long a membership command may take: adding a voter includes waiting for it to catch up. */
    private static Duration adminTimeout(NodeConfig config) {
        return config.raft().catchUpTimeout().plus(config.requestTimeout());
    }

    private static NettyTransportConfig transportConfig(NodeConfig config, Map<NodeId, HostPort> joinedMembers) {
        Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
        members.put(config.id(), new InetSocketAddress(config.bind(), config.raftPort()));
        for (PeerConfig p : config.peers()) {
            members.put(p.id(), p.raft().unresolved());
        }
        // A joining node knows the members from a seed: its transport must accept their connections before the
        // configuration reaches it.
        joinedMembers.forEach((id, raft) -> members.putIfAbsent(id, raft.unresolved()));
        return NettyTransportConfig.builder()
                .selfId(config.id())
                .clusterId(config.clusterId())
                .members(members)
                .tls(config.security().raftTls().orElse(null))
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
        admin.close();
        raft.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        timer.shutdownNow();
        log.info("node {} stopped", config.id());
    }
}
