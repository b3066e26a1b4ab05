package dev.keel.raft.examples.kv.container;

import dev.keel.raft.examples.kv.container.LogDirectorySampler.Sample;
import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshots, compaction and InstallSnapshot with the KV node as shipped: three containers with a small snapshot
 * interval, little log retention and small log segments, under write load. One follower is removed together with its
 * data while the others go on compacting, and comes back as an empty node once the leader's log starts after what the
 * node had acknowledged: the node must be sent a snapshot, and must then hold exactly what the others hold. Meanwhile every node's log
 * directory is listed over and over: compaction must delete segment files and keep the log on disk bounded.
 */
@Timeout(300)
class KvSnapshotIT {
    private static final long SNAPSHOT_INTERVAL = 1_000;
    private static final long LOG_RETENTION = 300;
    private static final int SEGMENT_BYTES = 32 << 10;
    /** Keys with 1 KiB values written first, so that the snapshot is a few MiB and travels in many chunks. */
    private static final int BULK_KEYS = 4_000;
    private static final Duration ELECTION = Duration.ofSeconds(20);
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private ContainerCluster cluster;

    @BeforeEach
    void start(TestInfo test) {
        DockerRequirement.check();
        cluster = new ContainerCluster(test.getTestMethod().orElseThrow().getName(), 3, """
                [snapshot]
                interval = %d
                log_retention = %d
                [log]
                segment_bytes = %d
                """.formatted(SNAPSHOT_INTERVAL, LOG_RETENTION, SEGMENT_BYTES));
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aWipedFollowerCatchesUpThroughInstallSnapshotToTheSameStateAndEveryLogStaysBounded() {
        int leader = cluster.awaitLeader(ELECTION, List.of(0, 1, 2));
        int victim = (leader + 1) % 3;
        Map<String, String> acknowledged = new HashMap<>(bulkLoad(leader));
        List<Workload> writers = new ArrayList<>();
        long installedIndex;
        long victimLast;
        try (LogDirectorySampler logs = new LogDirectorySampler(cluster)) {
            try {
                for (int w = 0; w < 3; w++) {
                    writers.add(new Workload(cluster, () -> leader, "w" + w));
                }
                awaitMoreAcknowledged(writers, (int) (3 * SNAPSHOT_INTERVAL));

                victimLast = Long.parseLong(cluster.raftInfo(victim).orElseThrow().get("last_log_index"));
                cluster.removeNode(victim);
                awaitMoreAcknowledged(writers, (int) (2 * SNAPSHOT_INTERVAL));
                // Past what the removed node had acknowledged: the leader cannot send it entries from there on.
                long acknowledgedByVictim = victimLast;
                Await.until("the leader's log to start after " + victimLast, CATCH_UP, () -> logs.sample(leader)
                        .map(s -> !s.segments().isEmpty() && s.segments().get(0) > acknowledgedByVictim)
                        .orElse(false));

                cluster.startEmptyNode(victim);
                long restartedAt = System.nanoTime();
                Await.until("n" + (victim + 1) + " installs a snapshot", CATCH_UP,
                        () -> cluster.raftInfo(victim).map(f -> Long.parseLong(f.get("snapshot_index")) > 0)
                                .orElse(false));
                installedIndex = Long.parseLong(cluster.raftInfo(victim).orElseThrow().get("snapshot_index"));
                System.out.printf("n%d restarted empty; snapshot %d installed within %d ms%n", victim + 1,
                        installedIndex, (System.nanoTime() - restartedAt) / 1_000_000);
                awaitMoreAcknowledged(writers, (int) SNAPSHOT_INTERVAL);
            } finally {
                writers.forEach(Workload::close);
            }
            int finalLeader = cluster.awaitLeader(ELECTION, List.of(0, 1, 2));
            long commit = cluster.commitIndex(finalLeader);
            for (int i = 0; i < 3; i++) {
                cluster.awaitApplied(i, commit, CATCH_UP);
            }
            // The policy's promise at rest: once the writes stop, every node's newest snapshot is within one interval
            // of what it applied (a snapshot that fell due during another's write is taken when that one completes),
            // and its log is compacted to within the retention of that snapshot.
            for (int i = 0; i < 3; i++) {
                int node = i;
                Await.until("n" + (i + 1) + " snapshots to within " + SNAPSHOT_INTERVAL + " entries of " + commit,
                        CATCH_UP, () -> cluster.raftInfo(node)
                                .map(f -> Long.parseLong(f.get("snapshot_index")) > commit - SNAPSHOT_INTERVAL)
                                .orElse(false));
            }
            // A loaded machine lists the directories slowly: the sampler goes on until it has enough listings of
            // every node, the last after its last snapshot, however long listing takes.
            Await.until("a listing of every node after its last snapshot, and at least 6 of each", CATCH_UP, () -> {
                for (int i = 0; i < 3; i++) {
                    List<Sample> s = logs.samples(i);
                    if (s.size() <= 5 || s.get(s.size() - 1).snapshotIndex() <= commit - SNAPSHOT_INTERVAL) {
                        return false;
                    }
                }
                return true;
            });
            logs.close();
            for (int i = 0; i < 3; i++) {
                assertLogCompactedAndBounded(i, logs.samples(i));
            }
        }

        // It was sent a snapshot covering what the leader had compacted away, and the node says it installed one.
        assertThat(cluster.logs(victim)).as("n%d's output", victim + 1).contains("installs snapshot");
        assertThat(installedIndex).as("the installed snapshot's index").isGreaterThan(victimLast);

        Set<String> refused = new HashSet<>();
        for (Workload w : writers) {
            acknowledged.putAll(w.acknowledged);
            refused.addAll(w.refused);
        }
        System.out.printf("history: %d acknowledged (%d bulk), %d refused, %d unknown%n", acknowledged.size(),
                BULK_KEYS, refused.size(), writers.stream().mapToInt(w -> w.unknown.size()).sum());
        // Every node, the wiped one first, serves exactly the acknowledged values from its own state machine, and
        // all hold the same number of keys (the writes of unknown outcome included) at the same applied index.
        Set<Integer> keyCounts = new TreeSet<>();
        for (int i : List.of(victim, (victim + 1) % 3, (victim + 2) % 3)) {
            assertReads(i, acknowledged, refused);
            keyCounts.add(keyCount(i));
        }
        assertThat(keyCounts).as("keys held by each node").hasSize(1);
    }

    /** Writes {@link #BULK_KEYS} keys with 1 KiB values through node {@code node}, pipelined; returns them. */
    private Map<String, String> bulkLoad(int node) {
        Map<String, String> written = new HashMap<>();
        String filler = "x".repeat(1000);
        for (int from = 0; from < BULK_KEYS; from += 500) {
            Map<String, String> batch = new HashMap<>();
            for (int k = from; k < from + 500; k++) {
                batch.put("bulk:" + k, filler + k);
            }
            Await.until("bulk keys " + from + " to " + (from + 499) + " written", CATCH_UP,
                    () -> writePipelined(node, batch));
            written.putAll(batch);
        }
        return written;
    }

    /**
     * Sets every key of {@code batch} through node {@code node} in one pipeline; whether all were acknowledged. A
     * batch that met a leader change ({@code -INDETERMINATE}) or no leader ({@code -TRYAGAIN}) is written again as a
     * whole: setting a key to the same value twice is harmless. On a machine loaded far beyond its cores a leader may
     * step down (CheckQuorum) with no fault injected. Any other answer fails the test.
     */
    private boolean writePipelined(int node, Map<String, String> batch) {
        try (Jedis j = cluster.client(node, 30_000)) {
            Pipeline p = j.pipelined();
            List<Response<String>> replies = new ArrayList<>();
            batch.forEach((k, v) -> replies.add(p.set(k, v)));
            p.sync();
            for (Response<String> r : replies) {
                assertThat(r.get()).isEqualTo("OK");
            }
            return true;
        } catch (JedisDataException e) {
            String error = String.valueOf(e.getMessage());
            if (error.startsWith("INDETERMINATE") || error.startsWith("TRYAGAIN")) {
                System.out.println("bulk load: " + error + "; writing the batch again");
                return false;
            }
            throw e;
        } catch (JedisConnectionException e) {
            return false;
        }
    }

    /**
     * Compaction deleted segment files on this node, its log directory shrank from its peak, and at every listing the
     * log held what the policy allows, no more: behind the newest snapshot, at most the retention plus the rest of the
     * segment that holds the oldest retained entry (compaction deletes whole segments only); at the end, at most one
     * interval after that snapshot as well. How far the log runs ahead of the newest snapshot while writes go on
     * depends on how fast the machine writes snapshots, which the policy does not promise: it is printed, not asserted.
     */
    private static void assertLogCompactedAndBounded(int node, List<Sample> samples) {
        assertThat(samples).as("listings of n%d's log", node + 1).hasSizeGreaterThan(5);
        Set<Long> seen = new TreeSet<>();
        Set<Long> deleted = new TreeSet<>();
        long maxEntriesOnDisk = 0;
        long maxAheadOfSnapshot = 0;
        long maxBytes = 0;
        long entriesPerSegment = 0;
        Sample previous = null;
        for (Sample s : samples) {
            seen.addAll(s.segments());
            if (previous != null) {
                previous.segments().stream().filter(b -> !s.segments().contains(b)).forEach(deleted::add);
            }
            for (int k = 1; k < s.segments().size(); k++) {
                entriesPerSegment = Math.max(entriesPerSegment, s.segments().get(k) - s.segments().get(k - 1));
            }
            maxEntriesOnDisk = Math.max(maxEntriesOnDisk, s.entries());
            maxAheadOfSnapshot = Math.max(maxAheadOfSnapshot, s.lastLogIndex() - s.snapshotIndex());
            maxBytes = Math.max(maxBytes, s.bytes());
            previous = s;
        }
        Sample last = samples.get(samples.size() - 1);
        System.out.printf("n%d log: %d listings, %d segment files seen, %d deleted by compaction, at most %d entries "
                        + "(%d bytes) on disk, at most %d entries ahead of the newest snapshot, %d bytes at the end, "
                        + "last index %d%n", node + 1, samples.size(), seen.size(), deleted.size(), maxEntriesOnDisk,
                maxBytes, maxAheadOfSnapshot, last.bytes(), last.lastLogIndex());
        assertThat(deleted).as("segments of n%d deleted by compaction", node + 1).isNotEmpty();
        long behindAllowed = LOG_RETENTION + entriesPerSegment;
        assertThat(samples).as("n%d's log behind its newest snapshot: at most %d entries (retention %d + one segment)",
                node + 1, behindAllowed, LOG_RETENTION)
                .allSatisfy(s -> assertThat(s.entriesBeforeSnapshot()).isLessThanOrEqualTo(behindAllowed));
        assertThat(last.entries()).as("entries in n%d's log at the end", node + 1)
                .isLessThanOrEqualTo(SNAPSHOT_INTERVAL + behindAllowed);
        assertThat(last.firstLogIndex()).as("n%d's first log entry at the end: most of its history compacted away",
                node + 1).isGreaterThan(last.lastLogIndex() / 2);
        // The bulk load's MiBs of values were in the log once; compaction has since deleted them.
        assertThat(last.bytes()).as("n%d's log directory at the end, against its peak", node + 1)
                .isLessThan(maxBytes / 2);
    }

    private void assertReads(int node, Map<String, String> acknowledged, Set<String> refused) {
        try (Jedis j = cluster.client(node, 30_000)) {
            List<String> keys = new ArrayList<>(acknowledged.keySet());
            for (int from = 0; from < keys.size(); from += 1000) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 1000));
                List<String> values = j.mget(chunk.toArray(String[]::new));
                for (int k = 0; k < chunk.size(); k++) {
                    assertThat(values.get(k)).as("acknowledged %s read through n%d", chunk.get(k), node + 1)
                            .isEqualTo(acknowledged.get(chunk.get(k)));
                }
            }
            List<String> absent = new ArrayList<>(refused);
            if (!absent.isEmpty()) {
                assertThat(j.mget(absent.toArray(String[]::new))).as("refused keys read through n%d", node + 1)
                        .containsOnlyNulls();
            }
        }
    }

    private int keyCount(int node) {
        try (Jedis j = cluster.client(node, 10_000)) {
            for (String line : j.info("keyspace").split("\r\n")) {
                if (line.startsWith("db0:keys=")) {
                    return Integer.parseInt(line.substring("db0:keys=".length(), line.indexOf(',')));
                }
            }
            return 0;
        }
    }

    /** Writes go on: the workloads together get {@code more} further acknowledgements within a bounded time. */
    private static void awaitMoreAcknowledged(List<Workload> writers, int more) {
        int target = total(writers) + more;
        Await.until(more + " more acknowledged writes", Duration.ofSeconds(90), () -> total(writers) >= target);
    }

    private static int total(List<Workload> writers) {
        return writers.stream().mapToInt(Workload::acknowledgedCount).sum();
    }
}
