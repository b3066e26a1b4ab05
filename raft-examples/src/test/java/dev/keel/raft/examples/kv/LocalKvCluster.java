package dev.keel.raft.examples.kv;

import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.examples.kv.config.ConfigFile;
import dev.keel.raft.examples.kv.config.NodeConfig;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemorySnapshotStorage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * KV nodes in this JVM on loopback, with in-memory storage and fast Raft timing, for tests: each can be stopped and
 * started again on its durable in-memory state.
 */
public final class LocalKvCluster implements AutoCloseable {
    private final List<NodeConfig> configs = new ArrayList<>();
    private final List<KvNode> nodes = new ArrayList<>();
    private final List<InMemoryLogStorage> logs = new ArrayList<>();
    private final List<InMemorySnapshotStorage> snapshots = new ArrayList<>();
    private final List<java.time.Clock> clocks = new ArrayList<>();

    LocalKvCluster(int size, Path dataDir, int maxValueBytes, long leaderWaitMs) {
        this(size, dataDir, maxValueBytes, leaderWaitMs, (i, f) -> { });
    }

    /** A cluster whose nodes' files {@code customize} amends (given the node's index) before they are checked. */
    LocalKvCluster(int size, Path dataDir, int maxValueBytes, long leaderWaitMs,
                   java.util.function.BiConsumer<Integer, ConfigFile> customize) {
        this(size, dataDir, maxValueBytes, leaderWaitMs, customize, true);
    }

    private LocalKvCluster(int size, Path dataDir, int maxValueBytes, long leaderWaitMs,
                           java.util.function.BiConsumer<Integer, ConfigFile> customize, boolean startNow) {
        int[] ports = freePorts(2 * size);
        for (int i = 0; i < size; i++) {
            ConfigFile f = new ConfigFile();
            f.id = "n" + (i + 1);
            f.clientPort = ports[2 * i];
            f.raftPort = ports[2 * i + 1];
            f.dataDir = dataDir.resolve(f.id).toString();
            f.maxValueBytes = maxValueBytes;
            f.leaderWaitMs = leaderWaitMs;
            f.peers = new ArrayList<>();
            for (int j = 0; j < size; j++) {
                if (j != i) {
                    ConfigFile.Peer p = new ConfigFile.Peer();
                    p.id = "n" + (j + 1);
                    p.client = "127.0.0.1:" + ports[2 * j];
                    p.raft = "127.0.0.1:" + ports[2 * j + 1];
                    f.peers.add(p);
                }
            }
            f.raft = new ConfigFile.Raft();
            f.raft.heartbeatMs = 50L;
            f.raft.electionTimeoutMinMs = 300L;
            f.raft.electionTimeoutMaxMs = 600L;
            customize.accept(i, f);
            configs.add(NodeConfig.from(f, f.id));
            logs.add(InMemoryLogStorage.autoSync());
            snapshots.add(new InMemorySnapshotStorage());
            clocks.add(java.time.Clock.systemUTC());
            nodes.add(null);
        }
        for (int i = 0; startNow && i < size; i++) {
            start(i);
        }
    }

    /**
     * Raft timing for clusters that outside programs drive without retrying (client libraries, redis-cli): elections
     * a loaded machine does not trip, at the price of a slower first election.
     */
    static void patientTiming(ConfigFile f) {
        f.raft.heartbeatMs = 100L;
        f.raft.electionTimeoutMinMs = 1500L;
        f.raft.electionTimeoutMaxMs = 3000L;
    }

    /**
     * A cluster whose node {@code i} runs with its clock off by {@code skews[i]} (what it stamps into the log when
     * it leads and judges expiry by in reads).
     */
    static LocalKvCluster withSkewedClocks(Path dataDir, java.time.Duration... skews) {
        return new LocalKvCluster(skews.length, dataDir, 1 << 20, 10_000, (i, f) -> { }, skews);
    }

    private LocalKvCluster(int size, Path dataDir, int maxValueBytes, long leaderWaitMs,
                           java.util.function.BiConsumer<Integer, ConfigFile> customize, java.time.Duration[] skews) {
        this(size, dataDir, maxValueBytes, leaderWaitMs, customize, false);
        for (int i = 0; i < size; i++) {
            clocks.set(i, java.time.Clock.offset(java.time.Clock.systemUTC(), skews[i]));
            start(i);
        }
    }

    int size() {
        return configs.size();
    }

    /**
     * Starts a new, empty node that joins the cluster through node {@code seed}'s client port, as
     * {@code keel-kv run --join} does; returns its index.
     */
    int join(String id, int seed) {
        int i = prepareJoin(id, seed);
        start(i);
        return i;
    }

    /** Configures a new, empty node that will join through node {@code seed} when {@link #start}ed; its index. */
    int prepareJoin(String id, int seed) {
        int[] ports = freePorts(2);
        configs.add(NodeConfig.from(joinFile(id, ports[0], ports[1], seed), id));
        logs.add(InMemoryLogStorage.autoSync());
        snapshots.add(new InMemorySnapshotStorage());
        clocks.add(java.time.Clock.systemUTC());
        nodes.add(null);
        return configs.size() - 1;
    }

    /** Starts stopped node {@code i} on its state again, but with {@code --join} through {@code seed}. */
    void restartJoining(int i, int seed) {
        NodeConfig c = configs.get(i);
        ConfigFile f = joinFile(c.id().value(), c.clientPort(), c.raftPort(), seed);
        nodes.set(i, KvNode.start(NodeConfig.from(f, f.id), logs.get(i), snapshots.get(i)));
    }

    private ConfigFile joinFile(String id, int clientPort, int raftPort, int seed) {
        NodeConfig base = configs.get(0);
        ConfigFile f = new ConfigFile();
        f.id = id;
        f.clientPort = clientPort;
        f.raftPort = raftPort;
        f.dataDir = base.dataDir().resolveSibling(id).toString();
        f.maxValueBytes = base.maxValueBytes();
        f.leaderWaitMs = base.leaderWait().toMillis();
        f.join = List.of("127.0.0.1:" + clientPort(seed));
        f.raft = new ConfigFile.Raft();
        f.raft.heartbeatMs = base.raft().heartbeatInterval().toMillis();
        f.raft.electionTimeoutMinMs = base.raft().electionTimeoutMin().toMillis();
        f.raft.electionTimeoutMaxMs = base.raft().electionTimeoutMax().toMillis();
        return f;
    }

    /** Node {@code i}'s Raft address as the cluster knows it. */
    String raftAddress(int i) {
        return configs.get(i).advertisedRaft().toString();
    }

    /** Node {@code i}'s id. */
    String id(int i) {
        return configs.get(i).id().value();
    }

    /** The index of the node called {@code id}. */
    int indexOf(String id) {
        for (int i = 0; i < configs.size(); i++) {
            if (configs.get(i).id().value().equals(id)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node " + id);
    }

    void start(int i) {
        nodes.set(i, KvNode.start(configs.get(i), logs.get(i), snapshots.get(i), clocks.get(i)));
    }

    /** Stops node {@code i}; its durable state survives for {@link #start}. */
    void stop(int i) {
        nodes.get(i).close();
        logs.set(i, logs.get(i).crash());
        snapshots.set(i, snapshots.get(i).reopen());
    }

    KvNode node(int i) {
        return nodes.get(i);
    }

    int clientPort(int i) {
        return configs.get(i).clientPort();
    }

    int raftPort(int i) {
        return configs.get(i).raftPort();
    }

    /** Waits for a leader among the running nodes, and for every running node to know it. */
    int awaitLeader(Duration timeout) {
        int[] leader = {-1};
        Await.until("a leader known to every running node", timeout, () -> {
            leader[0] = currentLeader().orElse(-1);
            if (leader[0] < 0) {
                return false;
            }
            NodeId id = configs.get(leader[0]).id();
            for (KvNode n : nodes) {
                if (n != null && !n.isClosed() && !id.equals(n.raft().status().leader())) {
                    return false;
                }
            }
            return true;
        });
        return leader[0];
    }

    Optional<Integer> currentLeader() {
        for (int i = 0; i < nodes.size(); i++) {
            KvNode n = nodes.get(i);
            if (n != null && !n.isClosed() && n.raft().status().role() == Role.LEADER) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        for (KvNode n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }

    static int[] freePorts(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Only probing for free ports.
                }
            }
        }
    }
}
