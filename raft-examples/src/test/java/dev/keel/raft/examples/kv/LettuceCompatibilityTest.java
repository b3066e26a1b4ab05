package dev.keel.raft.examples.kv;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lettuce against a 3-node cluster, with default settings and with a client name and database 0 (as Spring
 * configures it). The build runs this class once per Lettuce version of the compatibility matrix
 * ({@code keel.compat.lettuce}, see the pom), each time in a JVM holding only that version.
 */
@Timeout(120)
class LettuceCompatibilityTest {
    static LocalKvCluster cluster;
    static RedisClient client;
    static int leader;

    @BeforeAll
    static void start(@TempDir Path dir) {
        cluster = new LocalKvCluster(3, dir, 1 << 20, 10_000, (i, f) -> LocalKvCluster.patientTiming(f));
        leader = cluster.awaitLeader(Duration.ofSeconds(20));
        client = RedisClient.create();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theVersionUnderTestIsTheOneOnTheClassPath() {
        String expected = System.getProperty("keel.compat.lettuce");
        String location = RedisClient.class.getProtectionDomain().getCodeSource().getLocation().toString();
        System.out.println("Lettuce under test: " + location);
        if (expected != null) {
            assertThat(location).contains("lettuce-core-" + expected + ".jar");
        }
    }

    @Test
    void defaultSettingsConnectAndRunTheCommandSetOnEveryNode() {
        for (int node = 0; node < 3; node++) {
            RedisURI uri = RedisURI.create("redis://127.0.0.1:" + cluster.clientPort(node));
            try (StatefulRedisConnection<String, String> c = client.connect(uri)) {
                exercise(c.sync(), "default:" + node + ":");
            }
        }
    }

    @Test
    void aClientNameAndDatabaseZeroAreAccepted() {
        int follower = (leader + 1) % 3;
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(cluster.clientPort(follower))
                .withClientName("keel-compat-app").withDatabase(0).withTimeout(Duration.ofSeconds(30)).build();
        try (StatefulRedisConnection<String, String> c = client.connect(uri)) {
            RedisCommands<String, String> cmd = c.sync();
            assertThat(cmd.clientGetname()).isEqualTo("keel-compat-app");
            assertThat(cmd.clientList()).contains("name=keel-compat-app");
            exercise(cmd, "named:");
        }
    }

    @Test
    void pipelinedAsyncCommandsThroughAFollowerAnswerInOrder() throws Exception {
        int follower = (leader + 2) % 3;
        try (StatefulRedisConnection<String, String> c =
                     client.connect(RedisURI.create("redis://127.0.0.1:" + cluster.clientPort(follower)))) {
            RedisAsyncCommands<String, String> async = c.async();
            c.setAutoFlushCommands(false);
            List<io.lettuce.core.RedisFuture<Long>> increments = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                async.set("pipe:" + i, "v" + i);
                increments.add(async.incr("pipe:count"));
            }
            c.flushCommands();
            for (int i = 0; i < increments.size(); i++) {
                assertThat(increments.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i + 1L);
            }
            c.setAutoFlushCommands(true);
            assertThat(c.sync().get("pipe:199")).isEqualTo("v199");
        }
    }

    /** The commands an application typically uses, each checked against what Redis answers. */
    static void exercise(RedisCommands<String, String> cmd, String p) {
        assertThat(cmd.ping()).isEqualTo("PONG");
        assertThat(cmd.set(p + "k", "v")).isEqualTo("OK");
        assertThat(cmd.get(p + "k")).isEqualTo("v");
        assertThat(cmd.incr(p + "n")).isEqualTo(1L);
        assertThat(cmd.mset(Map.of(p + "a", "1", p + "b", "2"))).isEqualTo("OK");
        assertThat(cmd.mget(p + "a", p + "b", p + "none").stream().map(kv -> kv.getValueOrElse(null)).toList())
                .containsExactly("1", "2", null);
        assertThat(cmd.setnx(p + "a", "x")).isFalse();
        assertThat(cmd.hset(p + "h", Map.of("f1", "1", "f2", "2"))).isEqualTo(2L);
        assertThat(cmd.hgetall(p + "h")).isEqualTo(Map.of("f1", "1", "f2", "2"));
        assertThat(cmd.hincrby(p + "h", "f1", 9)).isEqualTo(10L);
        assertThat(cmd.type(p + "h")).isEqualTo("hash");
        assertThat(cmd.exists(p + "k", p + "h", p + "none")).isEqualTo(2L);

        Set<String> seen = new HashSet<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = cmd.scan(cursor, ScanArgs.Builder.matches(p + "*").limit(3));
            seen.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        assertThat(seen).containsExactlyInAnyOrder(p + "k", p + "n", p + "a", p + "b", p + "h");

        assertThat(cmd.watch(p + "k")).isEqualTo("OK");
        assertThat(cmd.multi()).isEqualTo("OK");
        cmd.set(p + "k", "in-tx");
        cmd.incr(p + "n");
        TransactionResult tx = cmd.exec();
        assertThat(tx.wasDiscarded()).isFalse();
        assertThat(tx.<Long>get(1)).isEqualTo(2L);
        assertThat(cmd.get(p + "k")).isEqualTo("in-tx");
        assertThat(cmd.del(p + "k", p + "n", p + "a", p + "b", p + "h")).isEqualTo(5L);
        assertThat(cmd.dbsize()).isGreaterThanOrEqualTo(0L);
        assertThat(cmd.info("server")).contains("redis_version:");
        KeyValue<String, String> none = cmd.mget(p + "k").get(0);
        assertThat(none.hasValue()).isFalse();
    }
}
