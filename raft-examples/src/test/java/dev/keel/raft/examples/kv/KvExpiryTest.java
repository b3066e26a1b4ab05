package dev.keel.raft.examples.kv;

import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expiry on a 3-node cluster whose clocks disagree (one node 1.5 s ahead, one 1.5 s behind): expiry times come from
 * the leaders' stamps in the log, so every replica expires the same keys at the same index whatever its own clock.
 */
@Timeout(120)
class KvExpiryTest {
    static final Duration SKEW = Duration.ofMillis(1500);
    static LocalKvCluster cluster;

    @BeforeAll
    static void start(@TempDir Path dir) {
        cluster = LocalKvCluster.withSkewedClocks(dir, SKEW, Duration.ZERO, SKEW.negated());
        cluster.awaitLeader(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Jedis client(int node) {
        return new Jedis("127.0.0.1", cluster.clientPort(node), 30_000);
    }

    @Test
    void expiryCommandsAnswerAsRedisDoes() {
        try (Jedis j = client(1)) {
            assertThat(j.set("e:k", "v", SetParams.setParams().ex(100))).isEqualTo("OK");
            assertThat(j.ttl("e:k")).isBetween(98L, 100L);
            assertThat(j.pttl("e:k")).isBetween(97_000L, 100_000L);
            assertThat(j.expire("e:k", 200)).isEqualTo(1);
            assertThat(j.ttl("e:k")).isBetween(198L, 200L);
            assertThat(j.persist("e:k")).isEqualTo(1);
            assertThat(j.ttl("e:k")).isEqualTo(-1);
            assertThat(j.ttl("e:missing")).isEqualTo(-2);
            assertThat(j.pexpire("e:k", 50_000)).isEqualTo(1);
            assertThat(j.set("e:k", "kept", SetParams.setParams().keepTtl())).isEqualTo("OK");
            assertThat(j.pttl("e:k")).isBetween(1L, 50_000L);
            assertThat(j.set("e:k", "plain")).isEqualTo("OK");
            assertThat(j.ttl("e:k")).isEqualTo(-1);
            assertThat(j.setex("e:s", 30, "v")).isEqualTo("OK");
            assertThat(j.psetex("e:p", 30_000, "v")).isEqualTo("OK");
            assertThat(j.info("keyspace")).containsPattern("expires=[1-9]");
            KvClusterTest.assertError(() -> j.set("e:k", "v", SetParams.setParams().ex(0)),
                    "ERR invalid expire time in 'set' command");
            KvClusterTest.assertError(() -> j.sendCommand(redis.clients.jedis.Protocol.Command.SET, "e:k", "v", "EX",
                    "10", "PX", "10"), "ERR syntax error");
            assertThat(j.expire("e:s", -1)).isEqualTo(1);
            assertThat(j.exists("e:s")).isFalse();
        }
    }

    /**
     * A key expires at one index on every node: once a write stamped after its expiry is applied everywhere, no
     * node returns it, not even the one whose clock is behind; and the replicas' states are identical.
     */
    @Test
    void everyReplicaExpiresAKeyAtTheSameIndexWhateverItsClock() {
        int leader = cluster.awaitLeader(Duration.ofSeconds(10));
        try (Jedis w = client(leader)) {
            assertThat(w.set("e:short", "v", SetParams.setParams().px(1_000))).isEqualTo("OK");
            for (int n = 0; n < 3; n++) {
                try (Jedis r = client(n)) {
                    // The write's log time is at or before every node's reading of it: nothing is read as expired early
                    // by more than the clocks' skew; the leader's own reading is exact.
                    if (n == leader) {
                        assertThat(r.get("e:short")).isEqualTo("v");
                    }
                }
            }
            Await.until("the key to expire on the leader", Duration.ofSeconds(10), () -> w.get("e:short") == null);
            // A write after the expiry carries a later log time: once applied, every replica has expired the key.
            w.set("e:after", "x");
            long index = cluster.node(leader).raft().status().lastLogIndex();
            for (int n = 0; n < 3; n++) {
                int node = n;
                Await.until("n" + (n + 1) + " to apply index " + index, Duration.ofSeconds(10),
                        () -> cluster.node(node).raft().status().appliedIndex() >= index);
                try (Jedis r = client(n)) {
                    assertThat(r.get("e:short")).as("n%d", n + 1).isNull();
                    assertThat(r.ttl("e:short")).isEqualTo(-2);
                    Set<String> scanned = new HashSet<>(r.keys("e:*"));
                    assertThat(scanned).doesNotContain("e:short");
                }
            }
            assertThat(digests()).hasSize(1);
        }
    }

    /**
     * A new leader whose clock is behind does not move log time back: its writes are stamped no earlier than its
     * predecessor's, so a key's expiry is never pushed out by the slow clock (its remaining time, read on the slow
     * node, stays within what the key was given).
     */
    @Test
    void leadershipMovingToANodeWithASlowClockDoesNotExtendKeys() {
        try (Jedis admin = client(0)) {
            MembersReply.send(admin, "RAFT.TRANSFER", "n1"); // clock 1.5 s ahead
            Await.until("n1 to lead", Duration.ofSeconds(20),
                    () -> cluster.currentLeader().orElse(-1) == 0);
            admin.set("e:ttl", "v", SetParams.setParams().px(60_000));
            assertThat(admin.pttl("e:ttl")).isBetween(1L, 60_000L);
            MembersReply.send(admin, "RAFT.TRANSFER", "n3"); // clock 1.5 s behind
            Await.until("n3 to lead", Duration.ofSeconds(20), () -> cluster.currentLeader().orElse(-1) == 2);
            try (Jedis n3 = client(2)) {
                n3.set("e:stamp", "written by the slow leader");
                assertThat(n3.pttl("e:ttl")).isBetween(1L, 60_000L);
                assertThat(n3.pexpire("e:rel", 1_000)).isZero();
                n3.set("e:rel", "v", SetParams.setParams().px(60_000));
                // Stamped with the held-back log time, not the slow clock: not more than 60 s from the old leader's.
                assertThat(n3.pttl("e:rel")).isBetween(1L, 60_000L);
                assertThat(n3.get("e:ttl")).isEqualTo("v");
            }
        }
    }

    private static Set<String> digests() {
        int leader = cluster.awaitLeader(Duration.ofSeconds(10));
        long index = cluster.node(leader).raft().status().lastLogIndex();
        Set<String> digests = new HashSet<>();
        for (int n = 0; n < 3; n++) {
            int node = n;
            Await.until("n" + (n + 1) + " to apply index " + index, Duration.ofSeconds(10),
                    () -> cluster.node(node).raft().status().appliedIndex() >= index);
            try (Jedis r = client(n)) {
                @SuppressWarnings("unchecked")
                List<Object> d = (List<Object>) MembersReply.send(r, "RAFT.DIGEST");
                digests.add(new String((byte[]) d.get(1)));
            }
        }
        return digests;
    }
}
