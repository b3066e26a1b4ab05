package dev.keel.raft.examples.snapshot;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.testing.Await;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.FileSnapshotStorage;
import dev.keel.raft.storage.SnapshotStorageConfig;
import dev.keel.raft.storage.StorageConfig;
import dev.keel.raft.transport.netty.NettyTransport;
import dev.keel.raft.transport.netty.NettyTransportConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Run in a child JVM with a small heap by {@link LargeInstallSnapshotTest}: two servers (file log, file snapshots,
 * Netty on loopback) take a snapshot of a large state and compact their logs; a third, started empty, catches up by
 * InstallSnapshot. Prints {@code KEY value...} lines: the snapshot write and transfer rates, the checksums, the peak
 * heap, and a plain loopback socket copy of as many bytes for comparison. With several rounds it is also the
 * InstallSnapshot benchmark ({@code raft-examples/bench/snapshot-benchmark.sh}), adding each round's CPU time by
 * thread.
 */
public final class BigStateTransfer {
    private BigStateTransfer() {
    }

    /**
     * Arguments: a scratch directory, the state's size in bytes, and optionally the number of rounds (default 1):
     * after each install the late server is closed, its directories deleted, and it is started again empty, so that
     * later rounds measure a warmed-up JVM. System properties {@code keel.bench.chunk.kib} and
     * {@code keel.bench.inflight} set the transfer's chunk size and window.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        RaftConfig config = RaftConfig.builder()
                // Long timeouts: a benchmark on a busy machine must not lose its leader (and snapshot) to a hiccup.
                .heartbeatInterval(Duration.ofMillis(100))
                .electionTimeout(Duration.ofMillis(2000), Duration.ofMillis(4000))
                .snapshotInterval(Long.MAX_VALUE)
                .logRetention(0)
                .snapshotChunkBytes(Integer.getInteger("keel.bench.chunk.kib", 256) << 10)
                .snapshotInflightChunks(Integer.getInteger("keel.bench.inflight", 16))
                .build();
        Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
        for (String id : new String[]{"n1", "n2", "n3"}) {
            members.put(NodeId.of(id), new InetSocketAddress("127.0.0.1", freePort()));
        }
        Map<NodeId, RaftServer> servers = new LinkedHashMap<>();
        Map<NodeId, BigStateMachine> machines = new LinkedHashMap<>();
        for (NodeId id : members.keySet()) {
            BigStateMachine sm = new BigStateMachine(size);
            machines.put(id, sm);
            servers.put(id, server(id, members, config, sm, dir));
        }
        NodeId late = NodeId.of("n3");
        servers.get(NodeId.of("n1")).start();
        servers.get(NodeId.of("n2")).start();
        RaftServer leader = awaitLeader(servers);
        byte[] command = new byte[100];
        for (int round = 1; round <= rounds; round++) {
            if (round > 1) {
                servers.get(late).close();
                deleteTree(dir.resolve(late + "-log"));
                deleteTree(dir.resolve(late + "-snap"));
                machines.put(late, new BigStateMachine(size));
                servers.put(late, server(late, members, config, machines.get(late), dir));
            }
            leader = awaitLeader(servers);
            // A new snapshot every round, and the log compacted past it: the leader cannot send the (again empty)
            // late server entries from the position it acknowledged in the previous round.
            for (int i = 0; i < 200; i++) {
                leader.submit(command).get(30, TimeUnit.SECONDS);
            }
            long started = System.nanoTime();
            SnapshotMetadata snap = leader.snapshot().get(300, TimeUnit.SECONDS);
            double writeSeconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("SNAPSHOT %d %d %.3f%n", snap.size(), snap.index(), writeSeconds);
            for (int i = 0; i < 200; i++) {
                leader.submit(command).get(30, TimeUnit.SECONDS);
            }
            long leaderApplied = machines.get(leader.id()).applied();
            RaftServer follower = servers.get(late);
            BigStateMachine lateMachine = machines.get(late);
            follower.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            // The transfer starts once the leader reaches the new server (its transport may be in reconnect
            // backoff); the new server learns the leader from the first chunk or heartbeat.
            Await.until("n3 to hear from the leader", remaining(deadline), () -> follower.status().leader() != null);
            started = System.nanoTime();
            Map<String, Long> cpuBefore = threadCpuNanos();
            long processCpuBefore = processCpuNanos();
            Await.until("n3 to catch up to " + leaderApplied + " commands", remaining(deadline),
                    () -> lateMachine.applied() >= leaderApplied);
            double transferSeconds = (System.nanoTime() - started) / 1e9;
            if (lateMachine.restoreStartedNanos() < started) {
                // Leadership moved to a server that has the entries: no snapshot was sent, nothing to measure.
                System.out.printf("ROUND %d NO_INSTALL: caught up from the log of %s%n", round,
                        awaitLeader(servers).id());
                continue;
            }
            double receivedSeconds = (lateMachine.restoreStartedNanos() - started) / 1e9;
            long processCpu = processCpuNanos() - processCpuBefore;
            Map<String, Long> cpuAfter = threadCpuNanos();
            // Received and durable (the follower's snapshot index moved) / installed (restored and caught up).
            System.out.printf("ROUND %d RECEIVED %.3f INSTALLED %.3f PROCESS_CPU %.3f%n", round, receivedSeconds,
                    transferSeconds, processCpu / 1e9);
            for (Map.Entry<String, Long> e : cpuAfter.entrySet()) {
                long used = e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L);
                if (used > 5_000_000) {
                    System.out.printf("THREAD_CPU %d %s %.3f%n", round, e.getKey(), used / 1e9);
                }
            }
            long copyCpuBefore = processCpuNanos();
            double copySeconds = socketCopySeconds(size);
            System.out.printf("SOCKET_COPY_ROUND %d %.3f PROCESS_CPU %.3f%n", round, copySeconds,
                    (processCpuNanos() - copyCpuBefore) / 1e9);
            System.out.printf("INSTALLED %d %.3f %d%n", lateMachine.restoredChecksum(), transferSeconds,
                    follower.status().snapshotIndex());
            // The bytes the leader generated for the state it froze: the follower must have received exactly these.
            System.out.printf("EXPECTED %d %d%n", BigStateMachine.checksum(lateMachine.restoredCount(), size),
                    lateMachine.restoredCount());
        }
        System.out.printf("PEAK_HEAP %d %d%n", peakHeap(), Runtime.getRuntime().maxMemory());
        servers.values().forEach(RaftServer::close);
        System.out.printf("SOCKET_COPY %.3f%n", socketCopySeconds(size));
        System.out.flush();
        System.exit(0);
    }

    private static RaftServer server(NodeId id, Map<NodeId, InetSocketAddress> members, RaftConfig config,
                                     BigStateMachine sm, Path dir) {
        return RaftServer.builder().id(id).members(members.keySet()).config(config).stateMachine(sm)
                .logStorage(FileLogStorage.open(StorageConfig.builder(dir.resolve(id + "-log"))
                        .segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES).build()))
                .snapshotStorage(FileSnapshotStorage.open(SnapshotStorageConfig.builder(dir.resolve(id + "-snap"))
                        .build()))
                .transport(new NettyTransport(NettyTransportConfig.builder().selfId(id).clusterId("big")
                        .members(members).build()))
                .build();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static RaftServer awaitLeader(Map<NodeId, RaftServer> servers) {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader", Duration.ofSeconds(60), () -> servers.values().stream()
                .filter(s -> !s.isClosed() && s.status().isLeader()).findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * CPU time of every live thread, by name (threads of one pool summed): where a transfer's time goes. On Linux
     * from {@code /proc/self/task}, which also shows the JVM's own threads (GC, JIT compilers), in 10 ms units;
     * elsewhere from the ThreadMXBean (Java threads only).
     */
    private static Map<String, Long> threadCpuNanos() {
        Map<String, Long> cpu = new TreeMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (Files.isDirectory(tasks)) {
            try (Stream<Path> list = Files.list(tasks)) {
                for (Path task : list.toList()) {
                    try {
                        String name = Files.readString(task.resolve("comm")).trim();
                        String stat = Files.readString(task.resolve("stat"));
                        // Fields after the parenthesized name: state is field 3, utime 14, stime 15.
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                        cpu.merge(name.replaceAll("[-#]?\\d+$", ""), ticks * 10_000_000L, Long::sum);
                    } catch (IOException | RuntimeException e) {
                        // The thread ended while being read.
                    }
                }
                return cpu;
            } catch (IOException e) {
                cpu.clear();
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (long id : threads.getAllThreadIds()) {
            ThreadInfo info = threads.getThreadInfo(id);
            long nanos = threads.getThreadCpuTime(id);
            if (info != null && nanos > 0) {
                cpu.merge(info.getThreadName().replaceAll("-\\d+$", ""), nanos, Long::sum);
            }
        }
        return cpu;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long peakHeap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /** A plain loopback TCP copy of {@code size} bytes, the physical limit of a transfer on this machine. */
    private static double socketCopySeconds(long size) throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread reader = new Thread(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[1 << 20];
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            reader.start();
            long started = System.nanoTime();
            try (Socket s = new Socket("127.0.0.1", server.getLocalPort()); OutputStream out = s.getOutputStream()) {
                byte[] buf = new byte[1 << 20];
                for (long sent = 0; sent < size; sent += buf.length) {
                    out.write(buf, 0, (int) Math.min(buf.length, size - sent));
                }
            }
            reader.join();
            return (System.nanoTime() - started) / 1e9;
        }
    }
}
