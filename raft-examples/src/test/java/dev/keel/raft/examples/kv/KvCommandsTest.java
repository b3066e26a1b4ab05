package dev.keel.raft.examples.kv;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.SafeEncoder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.keel.raft.examples.kv.KvClusterTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data model and the connection commands over a 3-node cluster, through a follower (writes forwarded by Keel, reads
 * linearizable there), driven by Jedis.
 */
@Timeout(60)
class KvCommandsTest {
    static LocalKvCluster cluster;
    static int follower;

    @BeforeAll
    static void startCluster(@TempDir Path dir) {
        cluster = new LocalKvCluster(3, dir, 1024, 10_000);
        follower = (cluster.awaitLeader(Duration.ofSeconds(20)) + 1) % 3;
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Jedis client() {
        return new Jedis("127.0.0.1", cluster.clientPort(follower), 30_000);
    }

    @Test
    void stringCommandsWorkThroughAFollower() {
        try (Jedis j = client()) {
            assertThat(j.mset("s:a", "1", "s:b", "2")).isEqualTo("OK");
            assertThat(j.msetnx("s:b", "x", "s:c", "3")).isZero();
            assertThat(j.msetnx("s:c", "3", "s:d", "4")).isEqualTo(1);
            assertThat(j.mget("s:a", "s:b", "s:c", "s:d", "s:none")).containsExactly("1", "2", "3", "4", null);
            assertThat(j.setnx("s:a", "x")).isZero();
            assertThat(j.setnx("s:e", "5")).isEqualTo(1);
            assertThat(j.getSet("s:e", "6")).isEqualTo("5");
            assertThat(j.getDel("s:e")).isEqualTo("6");
            assertThat(j.exists("s:e")).isFalse();
            assertThat(j.append("s:f", "ab")).isEqualTo(2);
            assertThat(j.append("s:f", "cd")).isEqualTo(4);
            assertThat(j.strlen("s:f")).isEqualTo(4);
            assertThat(j.type("s:f")).isEqualTo("string");
            assertThat(j.type("s:none")).isEqualTo("none");
            assertThat(j.unlink("s:f", "s:none")).isEqualTo(1);
        }
    }

    @Test
    void hashesWorkAndOtherTypesGetWrongType() {
        try (Jedis j = client()) {
            assertThat(j.hset("h:1", Map.of("a", "1", "b", "2"))).isEqualTo(2);
            assertThat(j.hset("h:1", "c", "3")).isEqualTo(1);
            assertThat(j.hmset("h:1", Map.of("d", "4"))).isEqualTo("OK");
            assertThat(j.hget("h:1", "a")).isEqualTo("1");
            assertThat(j.hmget("h:1", "a", "zz", "d")).containsExactly("1", null, "4");
            assertThat(j.hgetAll("h:1")).isEqualTo(Map.of("a", "1", "b", "2", "c", "3", "d", "4"));
            assertThat(j.hkeys("h:1")).containsExactlyInAnyOrder("a", "b", "c", "d");
            assertThat(j.hvals("h:1")).containsExactlyInAnyOrder("1", "2", "3", "4");
            assertThat(j.hlen("h:1")).isEqualTo(4);
            assertThat(j.hexists("h:1", "c")).isTrue();
            assertThat(j.hincrBy("h:1", "a", 41)).isEqualTo(42);
            assertThat(j.hdel("h:1", "a", "b", "zz")).isEqualTo(2);
            assertThat(j.type("h:1")).isEqualTo("hash");
            assertError(() -> j.get("h:1"), "WRONGTYPE Operation against a key holding the wrong kind of value");
            assertError(() -> j.incr("h:1"), "WRONGTYPE");
            j.set("h:string", "x");
            assertError(() -> j.hset("h:string", "f", "v"), "WRONGTYPE");
            assertError(() -> j.hincrBy("h:1", "c", Long.MAX_VALUE), "ERR increment or decrement would overflow");
            assertThat(j.hdel("h:1", "c", "d")).isEqualTo(2);
            assertThat(j.exists("h:1")).isFalse();
        }
    }

    @Test
    void keysAndScanFindEveryKeyAndDbsizeCountsThem() {
        try (Jedis j = client()) {
            for (int i = 0; i < 120; i++) {
                j.set("scan:" + i, "v");
            }
            j.hset("scan:hash", "f", "v");
            assertThat(j.keys("scan:1?")).hasSize(10);
            assertThat(j.keys("scan:*")).hasSize(121);
            Set<String> seen = new HashSet<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<String> page = j.scan(cursor, new ScanParams().match("scan:*").count(7));
                assertThat(page.getResult().size()).isLessThanOrEqualTo(7);
                seen.addAll(page.getResult());
                cursor = page.getCursor();
                calls++;
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(seen).hasSize(121);
            assertThat(calls).isGreaterThan(121 / 7);
            assertThat(j.scan("0", new ScanParams().count(10_000), "hash").getResult()).contains("scan:hash")
                    .allMatch(k -> j.type(k).equals("hash"));
            assertThat(j.dbSize()).isGreaterThanOrEqualTo(121);
            assertError(() -> j.scan("x"), "ERR invalid cursor");
        }
    }

    @Test
    void connectionCommandsAnswerAsClientsExpect() {
        try (Jedis j = client()) {
            assertError(() -> j.sendCommand(Command.HELLO, "3"), "NOPROTO");
            List<Object> hello = cast(j.sendCommand(Command.HELLO, "2", "SETNAME", "from-hello"));
            assertThat(strings(hello)).containsSequence("server", "redis").containsSequence("proto")
                    .contains("version", "id", "mode", "role");
            assertThat(j.clientGetname()).isEqualTo("from-hello");
            assertThat(j.clientSetname("app-1")).isEqualTo("OK");
            assertThat(j.clientGetname()).isEqualTo("app-1");
            assertError(() -> j.clientSetname("has space"), "ERR Client names cannot contain spaces");
            assertThat(j.sendCommand(Command.CLIENT, "SETINFO", "LIB-NAME", "keel-test")).isEqualTo(
                    SafeEncoder.encode("OK"));
            long id = j.clientId();
            assertThat(id).isPositive();
            assertThat(j.clientList()).contains("id=" + id + " ", "name=app-1", "lib-name=keel-test", "db=0");
            assertThat(j.select(0)).isEqualTo("OK");
            assertError(() -> j.select(1), "ERR DB index is out of range");
            assertThat(j.info("server")).contains("redis_version:", "redis_mode:standalone", "tcp_port:");
            assertThat(j.info()).contains("# Server", "# Clients", "connected_clients:", "# Memory", "# Persistence",
                    "loading:0", "# Stats", "# Replication", "role:master", "# CPU", "# Raft", "# Keyspace");
            assertThat(j.configGet("save")).containsEntry("save", "");
            assertThat(j.configGet("*")).containsEntry("databases", "1");
            assertThat((Long) j.sendCommand(Command.COMMAND, "COUNT")).isGreaterThan(50);
            List<Object> getInfo = cast(cast(j.sendCommand(Command.COMMAND, "INFO", "get")).get(0));
            assertThat(SafeEncoder.encode((byte[]) getInfo.get(0))).isEqualTo("get");
            assertThat(getInfo.get(1)).isEqualTo(2L);
            assertThat(getInfo.get(3)).isEqualTo(1L);
            List<Object> docs = cast(j.sendCommand(Command.COMMAND, "DOCS", "hset"));
            assertThat(strings(docs)).startsWith("hset");
            assertThat(strings(cast(docs.get(1)))).containsSequence("group", "hash").contains("summary", "since");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> cast(Object o) {
        return (List<Object>) o;
    }

    private static List<String> strings(List<Object> items) {
        List<String> out = new ArrayList<>();
        for (Object o : items) {
            out.add(o instanceof byte[] b ? SafeEncoder.encode(b) : String.valueOf(o));
        }
        return out;
    }
}
