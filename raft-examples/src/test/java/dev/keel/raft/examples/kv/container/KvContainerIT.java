package dev.keel.raft.examples.kv.container;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The KV node as shipped (its container image, built here from the packaged jar), three of them on a Docker network,
 * driven by Jedis through their published client ports, with the leader killed, cut off and frozen.
 *
 * <p>After every fault the same guarantees are checked: a new leader within a bounded time, writes going on, every
 * acknowledged write readable through every node, nothing refused with {@code -TRYAGAIN} applied, and the faulty
 * node back in the cluster and caught up.
 */
@Timeout(240)
class KvContainerIT {
    private static final Duration ELECTION = Duration.ofSeconds(20);
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private ContainerCluster cluster;

    @BeforeEach
    void start(TestInfo test) {
        DockerRequirement.check();
        cluster = new ContainerCluster(test.getTestMethod().orElseThrow().getName(), 3);
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writesAndReadsGoThroughEveryNode() {
        cluster.awaitLeader(ELECTION, all());
        for (int w = 0; w < 3; w++) {
            try (Jedis j = cluster.client(w, 10_000)) {
                for (int k = 0; k < 50; k++) {
                    assertThat(j.set("n" + w + ":" + k, "v" + k)).isEqualTo("OK");
                }
                assertThat(j.incr("counter")).isPositive();
            }
        }
        for (int r = 0; r < 3; r++) {
            try (Jedis j = cluster.client(r, 10_000)) {
                for (int w = 0; w < 3; w++) {
                    for (int k = 0; k < 50; k++) {
                        assertThat(j.get("n" + w + ":" + k)).as("n%d reads n%d:%d", r + 1, w, k).isEqualTo("v" + k);
                    }
                }
                assertThat(j.get("counter")).isEqualTo("3");
            }
        }
    }

    @Test
    void killingTheLeaderElectsAnotherKeepsEveryAcknowledgedWriteAndTheOldLeaderCatchesUp() {
        faultTheLeader("kill", cluster::kill, leader -> { }, cluster::restart);
    }

    @Test
    void aPartitionedLeaderCannotAcknowledgeWritesAndStepsDownAfterHealing() {
        int leader = faultTheLeader("partition", cluster::partition, cutOffLeader -> {
            try (Jedis cutOff = cluster.client(cutOffLeader, 15_000)) {
                // The old leader may still believe it leads, but no majority can confirm the write.
                assertThatThrownBy(() -> cutOff.set("written-to-the-cut-off-leader", "x"))
                        .isInstanceOf(JedisException.class);
            }
        }, cluster::heal);
        assertThat(cluster.raftInfo(leader).orElseThrow().get("role")).isIn("follower", "leader");
        for (int i = 0; i < 3; i++) {
            try (Jedis j = cluster.client(i, 10_000)) {
                assertThat(j.get("written-to-the-cut-off-leader")).as("n%d", i + 1).isNull();
            }
        }
    }

    @Test
    void aFrozenLeaderIsReplacedAndRejoinsAfterItResumes() {
        faultTheLeader("pause", cluster::pause, leader -> { }, cluster::unpause);
    }

    /**
     * Writes through a follower while {@code fault} hits the leader: once the fault is on, {@code whileFaulty} runs,
     * the others must elect a new leader and writes must go on; after {@code heal} (always called), writes go on, the
     * old leader catches up, and every acknowledged write is readable through every node.
     *
     * @return the node the fault hit
     */
    private int faultTheLeader(String name, IntConsumer fault, IntConsumer whileFaulty, IntConsumer heal) {
        int leader = cluster.awaitLeader(ELECTION, all());
        int client = (leader + 1) % 3;
        Workload w = new Workload(cluster, () -> client, name);
        try {
            awaitMoreAcknowledged(w, 50);
            fault.accept(leader);
            long faultAt = System.nanoTime();
            try {
                whileFaulty.accept(leader);
                int newLeader = cluster.awaitLeader(ELECTION, others(leader));
                assertThat(newLeader).isNotEqualTo(leader);
                System.out.printf("%s: new leader n%d %d ms after the fault%n", name, newLeader + 1,
                        (System.nanoTime() - faultAt) / 1_000_000);
                awaitMoreAcknowledged(w, 100);
            } finally {
                heal.accept(leader);
            }
            awaitMoreAcknowledged(w, 50);
        } finally {
            w.close();
        }
        int finalLeader = cluster.awaitLeader(ELECTION, all());
        cluster.awaitApplied(leader, cluster.commitIndex(finalLeader), CATCH_UP);
        assertHistory(cluster, w);
        return leader;
    }

    @Test
    void afterEveryNodeStopsAndStartsAgainEveryAcknowledgedWriteIsThereIncludingSnapshottedOnes() {
        int leader = cluster.awaitLeader(ELECTION, all());
        int client = (leader + 1) % 3;
        Workload w = new Workload(cluster, () -> client, "restart");
        try {
            awaitMoreAcknowledged(w, 200);
            // Half the history goes into a snapshot on every node, the rest stays in the logs.
            for (int i = 0; i < 3; i++) {
                try (Jedis j = cluster.client(i, 10_000)) {
                    assertThat((Long) j.sendCommand(() -> "RAFT.SNAPSHOT".getBytes(StandardCharsets.US_ASCII)))
                            .isPositive();
                }
            }
            awaitMoreAcknowledged(w, 200);
        } finally {
            w.close();
        }
        for (int i = 0; i < 3; i++) {
            cluster.stopNode(i);
        }
        for (int i = 0; i < 3; i++) {
            cluster.restart(i);
        }
        // The election clock starts once every process serves: starting three JVMs on a loaded machine is not Raft's.
        for (int i = 0; i < 3; i++) {
            cluster.awaitServing(i);
        }
        int newLeader = cluster.awaitLeader(ELECTION, all());
        long commit = cluster.commitIndex(newLeader);
        for (int i = 0; i < 3; i++) {
            cluster.awaitApplied(i, commit, CATCH_UP);
            assertThat(Long.parseLong(cluster.raftInfo(i).orElseThrow().get("snapshot_index"))).isPositive();
        }
        assertHistory(cluster, w);
    }

    /** Writes go on: the workload gets {@code more} further acknowledgements within a bounded time. */
    private static void awaitMoreAcknowledged(Workload w, int more) {
        int target = w.acknowledgedCount() + more;
        dev.keel.raft.testing.Await.until(more + " more acknowledged writes", Duration.ofSeconds(60),
                () -> w.acknowledgedCount() >= target);
    }

    private static List<Integer> all() {
        return List.of(0, 1, 2);
    }

    private static List<Integer> others(int excluded) {
        return IntStream.range(0, 3).filter(i -> i != excluded).boxed().toList();
    }

    static void assertHistory(ContainerCluster cluster, Workload w) {
        System.out.printf("history: %d acknowledged, %d refused (TRYAGAIN), %d unknown outcome%n",
                w.acknowledged.size(), w.refused.size(), w.unknown.size());
        for (int i = 0; i < cluster.size(); i++) {
            try (Jedis j = cluster.client(i, 10_000)) {
                for (Map.Entry<String, String> e : w.acknowledged.entrySet()) {
                    assertThat(j.get(e.getKey())).as("acknowledged %s read through n%d", e.getKey(), i + 1)
                            .isEqualTo(e.getValue());
                }
                for (String k : w.refused) {
                    assertThat(j.get(k)).as("refused %s read through n%d", k, i + 1).isNull();
                }
            } catch (JedisDataException e) {
                throw new AssertionError("n" + (i + 1) + " could not serve reads: " + e.getMessage(), e);
            }
        }
    }
}
