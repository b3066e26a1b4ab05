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
final class LocalKvCluster implements AutoCloseable {
    private final List<NodeConfig> configs = new ArrayList<>();
    private final List<KvNode> nodes = new ArrayList<>();
    private final List<InMemoryLogStorage> logs = new ArrayList<>();
    private final List<InMemorySnapshotStorage> snapshots = new ArrayList<>();

    LocalKvCluster(int size, Path dataDir, int maxValueBytes, long leaderWaitMs) {
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
            configs.add(NodeConfig.from(f, f.id));
            logs.add(InMemoryLogStorage.autoSync());
            snapshots.add(new InMemorySnapshotStorage());
            nodes.add(null);
        }
        for (int i = 0; i < size; i++) {
            start(i);
        }
    }

    int size() {
        return configs.size();
    }

    void start(int i) {
        nodes.set(i, KvNode.start(configs.get(i), logs.get(i), snapshots.get(i)));
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
