package dev.keel.raft.examples.snapshot;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.FileSnapshotStorage;
import dev.keel.raft.storage.SnapshotStorageConfig;
import dev.keel.raft.storage.StorageConfig;
import dev.keel.raft.transport.netty.NettyTransport;
import dev.keel.raft.transport.netty.NettyTransportConfig;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM with a small heap by {@link LargeInstallSnapshotTest}: two servers (file log, file snapshots,
 * Netty on loopback) take a snapshot of a large state and compact their logs; a third, started empty, catches up by
 * InstallSnapshot. Prints {@code KEY value...} lines: the snapshot write and transfer rates, the checksums, the peak
 * heap, and a plain loopback socket copy of as many bytes for comparison.
 */
public final class BigStateTransfer {
    private BigStateTransfer() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        RaftConfig config = RaftConfig.builder()
                .heartbeatInterval(Duration.ofMillis(50))
                .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
                .snapshotInterval(Long.MAX_VALUE)
                .logRetention(0)
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
            servers.put(id, RaftServer.builder().id(id).members(members.keySet()).config(config).stateMachine(sm)
                    .logStorage(FileLogStorage.open(StorageConfig.builder(dir.resolve(id + "-log"))
                            .segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES).build()))
                    .snapshotStorage(FileSnapshotStorage.open(SnapshotStorageConfig.builder(dir.resolve(id + "-snap"))
                            .build()))
                    .transport(new NettyTransport(NettyTransportConfig.builder().selfId(id).clusterId("big")
                            .members(members).build()))
                    .build());
        }
        NodeId late = NodeId.of("n3");
        servers.get(NodeId.of("n1")).start();
        servers.get(NodeId.of("n2")).start();
        RaftServer leader = awaitLeader(servers);
        byte[] command = new byte[100];
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

        servers.get(late).start();
        RaftServer follower = servers.get(late);
        BigStateMachine lateMachine = machines.get(late);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        // The transfer starts once the leader reaches the new server (its transport may be in reconnect backoff);
        // the new server learns the leader from the first chunk or heartbeat.
        while (follower.status().leader() == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("n3 never heard from the leader");
            }
            Thread.sleep(1);
        }
        started = System.nanoTime();
        while (lateMachine.applied() < leaderApplied) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("n3 did not catch up: applied " + lateMachine.applied() + " of "
                        + leaderApplied + ", status " + follower.status());
            }
            Thread.sleep(20);
        }
        double transferSeconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("INSTALLED %d %.3f %d%n", lateMachine.restoredChecksum(), transferSeconds,
                follower.status().snapshotIndex());
        // The bytes the leader generated for the state it froze: the follower must have received exactly these.
        System.out.printf("EXPECTED %d %d%n", BigStateMachine.checksum(lateMachine.restoredCount(), size),
                lateMachine.restoredCount());
        System.out.printf("PEAK_HEAP %d %d%n", peakHeap(), Runtime.getRuntime().maxMemory());
        servers.values().forEach(RaftServer::close);
        System.out.printf("SOCKET_COPY %.3f%n", socketCopySeconds(size));
        System.out.flush();
        System.exit(0);
    }

    private static RaftServer awaitLeader(Map<NodeId, RaftServer> servers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (RaftServer s : servers.values()) {
                if (!s.isClosed() && s.status().isLeader()) {
                    return s;
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no leader");
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
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
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
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
