package dev.keel.raft.examples.bench;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.StorageConfig;
import dev.keel.raft.transport.netty.NettyTransport;
import dev.keel.raft.transport.netty.NettyTransportConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A cluster of real servers in one JVM, as an application would run them: {@link FileLogStorage} with every append
 * fsynced and {@link NettyTransport} over loopback, default configuration.
 */
final class BenchCluster implements AutoCloseable {
    private final List<RaftServer> servers = new ArrayList<>();
    private final BenchMetrics metrics;

    /** The benchmark's state machine: a counter; a write returns 8 bytes, a read returns the count. */
    static final class Counter implements StateMachine {
        private long applied;

        @Override
        public byte[] apply(long index, byte[] command) {
            applied++;
            return ByteBuffer.allocate(8).putLong(index).array();
        }

        @Override
        public byte[] query(byte[] query) {
            return ByteBuffer.allocate(8).putLong(applied).array();
        }
    }

    BenchCluster(int nodes, Path directory, RaftConfig config, MetricsMode mode) throws IOException {
        this.metrics = new BenchMetrics(mode);
        Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
        for (int i = 1; i <= nodes; i++) {
            members.put(NodeId.of("n" + i), new InetSocketAddress("127.0.0.1", freePort()));
        }
        for (NodeId id : members.keySet()) {
            RaftServer s = RaftServer.builder()
                    .id(id)
                    .members(members.keySet())
                    .config(config)
                    .stateMachine(new Counter())
                    .logStorage(FileLogStorage.open(StorageConfig.builder(directory.resolve(id.value())).build()))
                    .transport(new NettyTransport(NettyTransportConfig.builder()
                            .selfId(id).clusterId("bench").members(members).build()))
                    .metrics(metrics.registry())
                    .build();
            servers.add(s);
        }
        servers.forEach(RaftServer::start);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The leader, waiting up to {@code timeout} for one. */
    RaftServer leader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (RaftServer s : servers) {
                if (s.status().isLeader()) {
                    return s;
                }
            }
            LockSupport.parkNanos(1_000_000);
        }
        throw new IllegalStateException("no leader within " + timeout);
    }

    /** What the cluster's metrics measured ({@link BenchMetrics#describe}). */
    String describeMetrics() {
        return metrics.describe();
    }

    List<RaftServer> servers() {
        return servers;
    }

    @Override
    public void close() {
        servers.forEach(RaftServer::close);
        metrics.close();
    }
}
