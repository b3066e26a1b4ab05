package dev.keel.raft.examples.bench;

import dev.keel.raft.examples.kv.cluster.ClusterLayout;
import dev.keel.raft.examples.kv.cluster.LocalCluster;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The 3-process mode: the KV nodes run as separate processes ({@code keel-kv run}, started by {@link LocalCluster}
 * with fsync on, their defaults), and the load goes over RESP: {@code SET key payload} and {@code GET key}
 * (linearizable), each thread on its own connection and key. CPU is the nodes' processes' (the load generator not
 * included); allocation and GC pauses happen in other JVMs and are not measured ({@code n/a}).
 */
final class ProcessTarget implements BenchTarget {
    private static final String HOST = "127.0.0.1";
    private static final int IO_TIMEOUT_MILLIS = 10_000;

    /** Which node the load threads talk to. */
    enum Via {
        LEADER, FOLLOWER
    }

    private final LocalCluster cluster;
    private final ClusterLayout.Node node;
    private final String leaderId;
    private final byte[] payload;

    ProcessTarget(int nodes, Path dir, int payloadBytes, Via via, int clientBasePort, int raftBasePort,
                  List<String> nodeJvmOptions, Duration startTimeout, PrintStream progress) {
        ClusterLayout layout = ClusterLayout.prepare(dir, nodes, HOST, clientBasePort, raftBasePort);
        LocalCluster c = new LocalCluster(layout, HOST, progress, nodeJvmOptions);
        String busy = c.busyPort();
        if (busy != null) {
            throw new IllegalStateException(busy);
        }
        c.startAll();
        try {
            ClusterLayout.Node leader = c.awaitLeader(startTimeout).orElseThrow(() -> new IllegalStateException(
                    "the KV nodes elected no leader within " + startTimeout + "; see their logs in " + dir));
            this.leaderId = leader.id();
            this.node = via == Via.LEADER ? leader : layout.nodes().stream().filter(n -> n != leader).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--via follower needs at least 2 nodes"));
        } catch (RuntimeException e) {
            c.stopAll();
            throw e;
        }
        this.cluster = c;
        this.payload = new byte[payloadBytes];
        java.util.Arrays.fill(payload, (byte) 'x');
    }

    @Override
    public BenchClient connect(int thread) throws Exception {
        byte[] key = ("keel-bench:" + thread).getBytes(StandardCharsets.US_ASCII);
        byte[] set = RespClient.encode("SET".getBytes(StandardCharsets.US_ASCII), key, payload);
        byte[] get = RespClient.encode("GET".getBytes(StandardCharsets.US_ASCII), key);
        RespClient resp = new RespClient(HOST, node.clientPort(), IO_TIMEOUT_MILLIS);
        try {
            resp.call(set); // so that reads find a value of the payload's size
        } catch (Exception e) {
            resp.close();
            throw e;
        }
        return new BenchClient() {
            @Override
            public void write() throws Exception {
                resp.call(set);
            }

            @Override
            public void read() throws Exception {
                resp.call(get);
            }

            @Override
            public void close() {
                resp.close();
            }
        };
    }

    @Override
    public Meters startMeters() {
        List<ProcessHandle> procs = cluster.runningProcesses();
        long start = cpuNanos(procs);
        return () -> new Costs(cpuNanos(procs) - start, -1, -1, -1, -1);
    }

    private static long cpuNanos(List<ProcessHandle> procs) {
        long sum = 0;
        for (ProcessHandle p : procs) {
            sum += p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
        return sum;
    }

    @Override
    public String describe() {
        return cluster.runningProcesses().size() + " KV node processes over RESP, load on " + node.id()
                + " (leader " + leaderId + "), client port " + node.clientPort();
    }

    @Override
    public void close() {
        cluster.stopAll();
    }
}
