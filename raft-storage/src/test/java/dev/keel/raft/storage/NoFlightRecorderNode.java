package dev.keel.raft.storage;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.RecordingStateMachine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A test program for {@link NoFlightRecorderTest}, run in a JVM without the {@code jdk.jfr} module: three servers
 * on the file log (small segments, so that compaction deletes some) and snapshot store elect a leader, write, snapshot, send a snapshot to a member that was cut off,
 * lose their leader and elect another, which is every place Keel emits a JFR event. Prints {@code ok ...} and exits 0,
 * or prints what went wrong and exits 1.
 * <p>Arguments: data directory.
 */
public final class NoFlightRecorderNode {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private NoFlightRecorderNode() {
    }

    public static void main(String[] args) throws Exception {
        if (ModuleLayer.boot().findModule("jdk.jfr").isPresent()) {
            System.out.println("jdk.jfr is present: run with --limit-modules");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
        RaftConfig config = RaftConfig.builder().tickInterval(Duration.ofMillis(10))
                .heartbeatInterval(Duration.ofMillis(50)).electionTimeout(Duration.ofMillis(1000),
                        Duration.ofMillis(2000))
                .snapshotInterval(50).logRetention(5).snapshotChunkBytes(256).build();
        InMemoryNetwork network = new InMemoryNetwork();
        Map<NodeId, RaftServer> servers = new LinkedHashMap<>();
        try {
            for (NodeId id : ids) {
                RaftServer s = RaftServer.builder().id(id).members(ids).config(config)
                        .stateMachine(new RecordingStateMachine())
                        .logStorage(FileLogStorage.open(StorageConfig.builder(dir.resolve(id.value() + "-log"))
                                .segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES).build()))
                        .snapshotStorage(FileSnapshotStorage.open(SnapshotStorageConfig.builder(
                                dir.resolve(id.value() + "-snapshots")).build()))
                        .transport(network.transport(id)).build();
                servers.put(id, s);
                s.start();
            }
            NodeId behind = leader(servers).id().equals(ids.get(0)) ? ids.get(1) : ids.get(0);
            network.isolate(behind);
            for (int written = 0; written < 600; ) {
                try {
                    leader(servers).submit(("c" + written).getBytes(StandardCharsets.UTF_8))
                            .get(30, TimeUnit.SECONDS);
                    written++;
                } catch (ExecutionException e) {
                    // Leadership moved: write again through the next leader.
                }
            }
            Await.until("the leader to compact its log behind a snapshot", WAIT,
                    () -> leader(servers).status().firstLogIndex() > 100);
            network.heal();
            Await.until(behind + " to catch up through a snapshot", WAIT, () -> servers.get(behind).status()
                    .snapshotIndex() > 0 && servers.get(behind).status().appliedIndex()
                    >= leader(servers).status().commitIndex());
            RaftServer first = leader(servers);
            first.close();
            RaftServer second = leader(servers);
            List<String> failed = new ArrayList<>();
            servers.values().stream().filter(s -> s.failure().isPresent())
                    .forEach(s -> failed.add(s.id() + ": " + s.failure().get()));
            if (!failed.isEmpty()) {
                System.out.println("failed: " + failed);
                System.exit(1);
            }
            System.out.println("ok: " + first.id() + " then " + second.id() + " led; " + behind
                    + " installed snapshot " + servers.get(behind).status().snapshotIndex());
        } catch (Throwable t) {
            System.out.println("failed: " + t);
            t.printStackTrace(System.out);
            System.exit(1);
        } finally {
            servers.values().forEach(RaftServer::close);
        }
        System.exit(0);
    }

    private static RaftServer leader(Map<NodeId, RaftServer> servers) {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader", WAIT, () -> servers.values().stream().filter(s -> !s.isClosed())
                .filter(s -> s.status().isLeader()).findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }
}
