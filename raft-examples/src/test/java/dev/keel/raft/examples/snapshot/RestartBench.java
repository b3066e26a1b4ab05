package dev.keel.raft.examples.snapshot;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.testing.Await;
import dev.keel.raft.examples.kv.KvCommand;
import dev.keel.raft.examples.kv.KvStateMachine;
import dev.keel.raft.examples.kv.Op;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.FileSnapshotStorage;
import dev.keel.raft.storage.SnapshotStorageConfig;
import dev.keel.raft.storage.StorageConfig;
import dev.keel.raft.testing.InMemoryNetwork;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How long a KV node takes to come back with a million keys: a single-node {@link RaftServer} with the KV state
 * machine, {@link FileLogStorage} and {@link FileSnapshotStorage} (fsync on) is loaded with {@code keys} SETs,
 * {@code keysPerEntry} to a log entry (as the KV node batches them), closed, and restarted {@code rounds} times, first
 * with the whole history in the log (no snapshot), then with a snapshot of it. A restart is timed from opening the
 * storage to the state machine having applied the last entry; the part spent until the node had elected itself (it
 * learns what is committed only then, as a restarted follower does from its leader) is reported separately.
 *
 * <p>Arguments: a scratch directory, keys (default 1,000,000), keys per entry (default 100), rounds (default 3).
 * Prints {@code LOADED}, {@code RESTART log|snapshot round seconds elected-after-seconds} and the sizes on disk.
 */
public final class RestartBench {
    private static final NodeId SELF = NodeId.of("n1");
    private static final RaftConfig CONFIG = RaftConfig.builder()
            .heartbeatInterval(Duration.ofMillis(20))
            .electionTimeout(Duration.ofMillis(100), Duration.ofMillis(150))
            .snapshotInterval(Long.MAX_VALUE)
            .build();

    private RestartBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int perEntry = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        if (Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " exists: give a directory that does not, it is filled and kept");
        }
        long last;
        try (Node node = Node.open(dir)) {
            long started = System.nanoTime();
            last = load(node.server, keys, perEntry);
            System.out.printf("LOADED %d keys in %d entries in %.3f s; log %d bytes%n", keys, last,
                    (System.nanoTime() - started) / 1e9, bytes(dir.resolve("log")));
        }
        for (int r = 1; r <= rounds; r++) {
            restart(dir, "log", r, last, keys);
        }
        try (Node node = Node.open(dir)) {
            awaitApplied(node, last);
            SnapshotMetadata snapshot = node.server.snapshot().get(300, TimeUnit.SECONDS);
            System.out.printf("SNAPSHOT at %d, %d bytes; log %d bytes after compaction%n", snapshot.index(),
                    snapshot.size(), bytes(dir.resolve("log")));
        }
        for (int r = 1; r <= rounds; r++) {
            restart(dir, "snapshot", r, last, keys);
        }
        System.exit(0);
    }

    private static void restart(Path dir, String kind, int round, long last, int keys) throws Exception {
        long started = System.nanoTime();
        try (Node node = Node.open(dir)) {
            double elected = awaitApplied(node, last);
            double total = (System.nanoTime() - started) / 1e9;
            if (node.machine.keyCount() != keys) {
                throw new IllegalStateException("restarted with " + node.machine.keyCount() + " keys, not " + keys);
            }
            System.out.printf("RESTART %s %d %.3f %.3f%n", kind, round, total, elected - started / 1e9);
        }
    }

    /** Waits until {@code last} is applied; returns when the node became leader ({@link System#nanoTime}, in s). */
    private static double awaitApplied(Node node, long last) {
        double[] elected = {-1};
        Await.until("applied up to " + last, Duration.ofSeconds(600), () -> {
            if (elected[0] < 0 && node.server.status().isLeader()) {
                elected[0] = System.nanoTime() / 1e9;
            }
            return node.server.status().appliedIndex() >= last;
        });
        return elected[0] < 0 ? System.nanoTime() / 1e9 : elected[0];
    }

    /** Submits the SETs with a bounded number in flight; returns the last entry's index. */
    private static long load(RaftServer server, int keys, int perEntry) throws Exception {
        Await.until("a leader", Duration.ofSeconds(60), () -> server.status().isLeader());
        Semaphore inflight = new Semaphore(2_000);
        List<CompletableFuture<?>> failures = new ArrayList<>();
        for (int k = 0; k < keys; k += perEntry) {
            List<byte[]> sets = new ArrayList<>(perEntry);
            for (int i = k; i < Math.min(keys, k + perEntry); i++) {
                sets.add(KvCommand.of(Op.SET, ("key:" + i).getBytes(StandardCharsets.US_ASCII),
                        ("value-" + i + "-0123456789").getBytes(StandardCharsets.US_ASCII)).encode());
            }
            byte[] entry = sets.size() == 1 ? sets.get(0) : new KvCommand(Op.WRITE_BATCH, 0, sets).encode();
            inflight.acquire();
            CompletableFuture<?> f = server.submit(entry).whenComplete((r, e) -> inflight.release());
            if (failures.size() < 1 && f.isCompletedExceptionally()) {
                failures.add(f);
            }
        }
        inflight.acquire(2_000);
        for (CompletableFuture<?> f : failures) {
            f.join();
        }
        return server.status().lastLogIndex();
    }

    private static long bytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** One incarnation of the node: its storages, state machine and server, closed together. */
    private record Node(RaftServer server, KvStateMachine machine) implements AutoCloseable {
        static Node open(Path dir) {
            KvStateMachine machine = new KvStateMachine();
            RaftServer server = RaftServer.builder().id(SELF).members(Set.of(SELF)).config(CONFIG)
                    .stateMachine(machine)
                    .logStorage(FileLogStorage.open(StorageConfig.builder(dir.resolve("log")).build()))
                    .snapshotStorage(FileSnapshotStorage.open(
                            SnapshotStorageConfig.builder(dir.resolve("snapshots")).build()))
                    .transport(new InMemoryNetwork().transport(SELF))
                    .build();
            server.start();
            return new Node(server, machine);
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
