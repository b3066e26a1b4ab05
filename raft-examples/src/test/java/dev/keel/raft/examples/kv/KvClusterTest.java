package dev.keel.raft.examples.kv;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A 3-node KV cluster in this JVM, over real sockets, driven by Jedis: commands, errors, writes through followers. */
@Timeout(60)
class KvClusterTest {
    static final int MAX_VALUE = 1024;
    static LocalKvCluster cluster;

    /** Commands Jedis has no method for. */
    enum Extra implements ProtocolCommand {
        CAS("CAS"), SNAPSHOT("RAFT.SNAPSHOT");

        private final byte[] raw;

        Extra(String name) {
            raw = name.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] getRaw() {
            return raw;
        }
    }

    @BeforeAll
    static void startCluster(@TempDir Path dir) {
        cluster = new LocalKvCluster(3, dir, MAX_VALUE, 2000);
        cluster.awaitLeader(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Jedis client(int node) {
        return new Jedis("127.0.0.1", cluster.clientPort(node), 10_000);
    }

    @Test
    void writesThroughAnyNodeAreReadThroughEveryNode() {
        for (int writer = 0; writer < 3; writer++) {
            try (Jedis w = client(writer)) {
                assertThat(w.set("k" + writer, "from-" + writer)).isEqualTo("OK");
                assertThat(w.incrBy("counter", 10)).isGreaterThan(0);
            }
        }
        for (int reader = 0; reader < 3; reader++) {
            try (Jedis r = client(reader)) {
                assertThat(r.mget("k0", "k1", "k2", "missing")).containsExactly("from-0", "from-1", "from-2", null);
                assertThat(r.get("counter")).isEqualTo("30");
                assertThat(r.exists("k0", "k1", "missing")).isEqualTo(2);
            }
        }
    }

    @Test
    void everyCommandBehavesAsInRedis() {
        try (Jedis j = client(1)) {
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.echo("hello")).isEqualTo("hello");
            assertThat(j.set("cmd:a", "1", SetParams.setParams().nx())).isEqualTo("OK");
            assertThat(j.set("cmd:a", "2", SetParams.setParams().nx())).isNull();
            assertThat(j.set("cmd:b", "2", SetParams.setParams().xx())).isNull();
            assertThat(j.setGet("cmd:a", "3")).isEqualTo("1");
            assertThat(j.incr("cmd:a")).isEqualTo(4);
            assertThat(j.decr("cmd:a")).isEqualTo(3);
            assertThat(j.decrBy("cmd:a", 5)).isEqualTo(-2);
            assertThat(j.sendCommand(Extra.CAS, "cmd:a", "-2", "swapped")).isEqualTo(1L);
            assertThat(j.sendCommand(Extra.CAS, "cmd:a", "-2", "again")).isEqualTo(0L);
            assertThat(j.get("cmd:a")).isEqualTo("swapped");
            assertThat(j.del("cmd:a", "cmd:b", "cmd:none")).isEqualTo(1);
            assertThat(j.get("cmd:a")).isNull();
        }
    }

    @Test
    void theLargestValueIsAcceptedThroughEveryNodeAndOneByteMoreIsRefused() {
        for (int node = 0; node < 3; node++) {
            try (Jedis j = client(node)) {
                String largest = String.valueOf(node).repeat(MAX_VALUE);
                assertThat(j.set("largest:" + node, largest)).isEqualTo("OK");
                assertThat(j.sendCommand(Extra.CAS, "largest:" + node, largest, largest)).isEqualTo(1L);
                assertThat(j.get("largest:" + node)).isEqualTo(largest);
                String key = "largest:" + node;
                assertError(() -> j.set(key, largest + "x"), "exceeds max_value_bytes");
            }
        }
    }

    @Test
    void badCommandsGetErrorsAndTheConnectionStaysUsable() {
        try (Jedis j = client(2)) {
            j.set("text", "abc");
            assertError(() -> j.sendCommand(() -> "NOSUCH".getBytes(StandardCharsets.US_ASCII), "x"),
                    "ERR unknown command 'NOSUCH'");
            assertError(() -> j.sendCommand(redis.clients.jedis.Protocol.Command.GET), "ERR wrong number of arguments");
            assertError(() -> j.incr("text"), "ERR value is not an integer");
            assertError(() -> j.incrBy("text", 1), "ERR value is not an integer");
            assertError(() -> j.sendCommand(redis.clients.jedis.Protocol.Command.INCRBY, "n", "1.5"),
                    "ERR value is not an integer");
            assertError(() -> j.set("big", "x".repeat(MAX_VALUE + 1)), "exceeds max_value_bytes (1024)");
            assertError(() -> j.set("k", "v", SetParams.setParams().ex(0)), "ERR invalid expire time in 'set' command");
            assertError(() -> j.sendCommand(redis.clients.jedis.Protocol.Command.SET, "k", "v", "NX", "XX"),
                    "ERR syntax error");
            assertError(() -> j.sendCommand(redis.clients.jedis.Protocol.Command.SET, "k", "v", "BOGUS"),
                    "ERR syntax error");
            assertThat(j.set("big", "x".repeat(MAX_VALUE))).isEqualTo("OK");
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.get("text")).isEqualTo("abc");
        }
    }

    @Test
    void pipelinedCommandsThroughAFollowerAnswerInOrder() {
        int follower = (cluster.awaitLeader(Duration.ofSeconds(10)) + 1) % 3;
        try (Jedis j = client(follower)) {
            Pipeline p = j.pipelined();
            List<Response<?>> responses = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                responses.add(p.set("pipe:" + i, "v" + i));
                responses.add(p.get("pipe:" + i));
                responses.add(p.incr("pipe:count"));
            }
            p.sync();
            for (int i = 0; i < 500; i++) {
                assertThat(responses.get(3 * i).get()).isEqualTo("OK");
                assertThat(responses.get(3 * i + 1).get()).isEqualTo("v" + i);
                assertThat(responses.get(3 * i + 2).get()).isEqualTo((long) i + 1);
            }
        }
    }

    @Test
    void infoReportsTheRaftStateAndSnapshotReturnsItsIndex() {
        int leader = cluster.awaitLeader(Duration.ofSeconds(10));
        try (Jedis j = client(leader)) {
            j.set("before-snapshot", "x");
            long index = (Long) j.sendCommand(Extra.SNAPSHOT);
            assertThat(index).isPositive();
            String info = j.info("raft");
            assertThat(info).startsWith("# Raft\r\n")
                    .contains("node_id:n" + (leader + 1) + "\r\n", "role:leader\r\n",
                            "leader:n" + (leader + 1) + "\r\n", "members:n1,n2,n3\r\n")
                    .containsPattern("snapshot_index:(\\d+)").containsPattern("commit_index:\\d+");
            long snapshotIndex = Long.parseLong(info.replaceAll("(?s).*snapshot_index:(\\d+).*", "$1"));
            assertThat(snapshotIndex).isGreaterThanOrEqualTo(index);
            assertThat(j.info()).contains("# Server", "# Clients", "# Raft", "# Keyspace", "db0:keys=");
        }
    }

    @Test
    void inlineCommandsWorkAndQuitAnswersOkThenCloses() throws IOException {
        try (Socket s = new Socket("127.0.0.1", cluster.clientPort(0))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("PING\r\nECHO hi\r\nQUIT\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] all = s.getInputStream().readAllBytes();
            assertThat(new String(all, StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n$2\r\nhi\r\n+OK\r\n");
        }
    }

    @Test
    void aProtocolErrorIsReportedThenTheConnectionCloses() throws IOException {
        try (Socket s = new Socket("127.0.0.1", cluster.clientPort(0))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("*1\r\n$4\r\nPING\r\n*2\r\n:1\r\n".getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(all).startsWith("+PONG\r\n-ERR Protocol error").endsWith("\r\n");
        }
        try (Jedis j = client(0)) {
            assertThat(j.ping()).isEqualTo("PONG");
        }
    }

    static void assertError(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOf(JedisDataException.class).hasMessageContaining(message);
    }
}
