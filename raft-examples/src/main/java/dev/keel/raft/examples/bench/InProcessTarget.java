package dev.keel.raft.examples.bench;

import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The reference setup: {@link BenchCluster} in this JVM, load submitted straight to the leader's
 * {@link RaftServer} (a write waits until committed and applied on the leader; a read is a ReadIndex read).
 */
final class InProcessTarget implements BenchTarget {
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);
    private static final long OP_TIMEOUT_SECONDS = 10;

    private final BenchCluster cluster;
    private final byte[] payload;
    private final String leaderId;

    InProcessTarget(int nodes, Path dir, int payloadBytes, MetricsMode metrics) throws IOException {
        this.cluster = new BenchCluster(nodes, dir, RaftConfig.defaults(), metrics);
        this.payload = new byte[payloadBytes];
        this.leaderId = cluster.leader(LEADER_TIMEOUT).id().value();
    }

    @Override
    public BenchClient connect(int thread) {
        RaftServer leader = cluster.leader(LEADER_TIMEOUT);
        return new BenchClient() {
            @Override
            public void write() throws Exception {
                leader.submit(payload).get(OP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }

            @Override
            public void read() throws Exception {
                leader.read(payload).get(OP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }

            @Override
            public void close() {
                // nothing to release: the next client asks for the leader again
            }
        };
    }

    @Override
    public Meters startMeters() {
        return JvmMeters.start(cluster.leader(LEADER_TIMEOUT).id().value());
    }

    @Override
    public String describe() {
        return "in-process cluster of " + cluster.servers().size() + " (leader " + leaderId + "; leader threads: "
                + String.join(", ", JvmMeters.describe(leaderId)) + "; " + cluster.describeMetrics() + ")";
    }

    @Override
    public void close() {
        cluster.close();
    }
}
