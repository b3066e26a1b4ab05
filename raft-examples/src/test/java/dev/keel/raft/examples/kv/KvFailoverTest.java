package dev.keel.raft.examples.kv;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Leader loss and quorum loss in an in-process 3-node cluster, seen through a Redis client. */
@Timeout(90)
class KvFailoverTest {
    @TempDir
    Path dir;
    LocalKvCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void whenTheLeaderStopsANewOneTakesOverAndNoAcknowledgedWriteIsLost() {
        cluster = new LocalKvCluster(3, dir, 1024, 5000);
        int leader = cluster.awaitLeader(Duration.ofSeconds(20));
        int follower = (leader + 1) % 3;
        Map<String, String> acknowledged = new HashMap<>();
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(follower), 10_000)) {
            for (int i = 0; i < 100; i++) {
                assertThat(j.set("before:" + i, "v" + i)).isEqualTo("OK");
                acknowledged.put("before:" + i, "v" + i);
            }
            cluster.stop(leader);
            // Through the follower, writes wait out the election (bounded by leader_wait_ms) and then succeed.
            for (int i = 0; i < 100; i++) {
                assertThat(j.set("after:" + i, "v" + i)).isEqualTo("OK");
                acknowledged.put("after:" + i, "v" + i);
            }
        }
        int newLeader = cluster.awaitLeader(Duration.ofSeconds(20));
        assertThat(newLeader).isNotEqualTo(leader);

        cluster.start(leader);
        cluster.awaitLeader(Duration.ofSeconds(20));
        for (int node = 0; node < 3; node++) {
            try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(node), 10_000)) {
                for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                    assertThat(j.get(e.getKey())).as("node %d, key %s", node, e.getKey()).isEqualTo(e.getValue());
                }
            }
        }
    }

    @Test
    void withoutAMajorityAWriteAnswersNotBeforeItsRequestTimeoutAndAReadTriesAgainAfterTheLeaderWait() {
        cluster = new LocalKvCluster(3, dir, 1024, 1500, (i, f) -> f.requestTimeoutMs = 4000L);
        int leader = cluster.awaitLeader(Duration.ofSeconds(20));
        int survivor = (leader + 1) % 3;
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(survivor), 20_000)) {
            j.set("k", "v");
            for (int i = 0; i < 3; i++) {
                if (i != survivor) {
                    cluster.stop(i);
                }
            }
            long start = System.nanoTime();
            // The write goes through the connection's session, which retries it until the request timeout: it may
            // have reached the old leader before it stopped, so it cannot be refused as never applied before then.
            String error = catchError(() -> j.set("k", "w"));
            long writeMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(error).matches("(INDETERMINATE|TRYAGAIN) .*");
            if (error.startsWith("INDETERMINATE")) {
                assertThat(writeMs).as("-INDETERMINATE only once the request timeout has passed").isGreaterThanOrEqualTo(4000);
            }
            start = System.nanoTime();
            assertThatThrownBy(() -> j.get("k")).isInstanceOf(JedisDataException.class)
                    .hasMessageStartingWith("TRYAGAIN");
            long readMs = (System.nanoTime() - start) / 1_000_000;
            // A read waits leader_wait_ms (1.5 s) for a leader, with room for a slow machine.
            assertThat(readMs).isLessThan(1500 + 2500);
            assertThat(j.ping()).isEqualTo("PONG");
        }
        // Once the others are back, the cluster serves again: the write took effect or not, never twice.
        for (int i = 0; i < 3; i++) {
            if (i != survivor) {
                cluster.start(i);
            }
        }
        try {
            // Readiness: the survivor knows the new leader and has caught up with it.
            cluster.node(survivor).raft().awaitLeader(Duration.ofSeconds(20));
        } catch (Exception e) {
            throw new AssertionError("the survivor found no leader after the others came back", e);
        }
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(survivor), 20_000)) {
            assertThat(j.get("k")).isIn("v", "w");
            assertThat(j.set("k", "x")).isEqualTo("OK");
        }
    }

    private static String catchError(Runnable call) {
        try {
            call.run();
        } catch (JedisDataException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected an error reply");
    }
}
