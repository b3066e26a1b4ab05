package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.cli.KeelKv;
import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The KV node's operator surface on a 3-node cluster in this JVM: the admin port (Prometheus {@code /metrics},
 * {@code /livez}, {@code /readyz}), INFO's {@code # Stats} and {@code # Replication}, and the {@code keel-kv} operator
 * commands with their exit statuses. The tests share one cluster and run in order; the last one stops a majority.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KvObservabilityTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    private static LocalKvCluster cluster;
    private static int leader;

    @BeforeAll
    static void startCluster() {
        // Patient timing: a transfer's outcome is checked, and a loaded machine must not move leadership by itself.
        cluster = new LocalKvCluster(3, dir, 1024, 1500, (i, f) -> LocalKvCluster.patientTiming(f));
        leader = cluster.awaitLeader(WAIT);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> get(int node, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.adminPort(node) + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in the scrape");
        }
        return Double.parseDouble(m.group(1));
    }

    private static Map<String, String> info(int node, String section) {
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(node), 5000)) {
            Map<String, String> fields = new HashMap<>();
            for (String line : j.info(section).split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.putIfAbsent(line.substring(0, colon), line.substring(colon + 1));
                }
            }
            return fields;
        }
    }

    private record Run(int status, String out, String err) {
    }

    private static Run keelKv(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new KeelKv());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    @Order(1)
    void everyNodeServesPrometheusMetricsWhoseCommitIndexMovesWithWrites() throws Exception {
        String id = cluster.id(leader);
        String before = get(leader, "/metrics").body();
        double commit = sample(before, "keel_commit_index{node=\"" + id + "\"}");
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(leader), 5000)) {
            for (int i = 0; i < 50; i++) {
                j.set("k" + i, "v" + i);
            }
        }
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(i, "/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("text/plain; version=0.0.4"));
            String n = cluster.id(i);
            // In-memory logs here: fsync metrics are checked by the container test, on the file log.
            assertThat(r.body()).contains("keel_term{node=\"" + n + "\"}")
                    .contains("keel_transport_sent_bytes_total{node=\"" + n + "\",peer=")
                    .contains("jvm_memory_used_bytes");
            int node = i;
            Await.until(n + "'s commit index to pass 50 writes", WAIT, () -> sample(get(node, "/metrics").body(),
                    "keel_commit_index{node=\"" + n + "\"}") >= commit + 50);
        }
        String after = get(leader, "/metrics").body();
        assertThat(sample(after, "keel_commit_latency_seconds_count{node=\"" + id + "\"}")).isGreaterThanOrEqualTo(1);
        assertThat(sample(after, "keel_kv_commands_total{node=\"" + id + "\"}")).as("the node's own series name it too")
                .isGreaterThanOrEqualTo(50);
        assertThat(after).contains("keel_follower_lag{follower=");
    }

    @Test
    @Order(2)
    void healthEndpointsAnswerAndOtherRequestsAreRefused() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(get(i, "/livez").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(i, "/readyz");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).startsWith("ready: ").contains("leader " + cluster.id(leader));
        }
        assertThat(get(0, "/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + cluster.adminPort(0) + "/metrics")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    @Order(3)
    void infoShowsRedisVersionStatsAndEachFollowersLagOnTheLeader() {
        int follower = (leader + 1) % 3;
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(follower), 5000)) {
            assertThatThrownBy(() -> j.incr("k1")).isInstanceOf(JedisDataException.class);
        }
        assertThat(info(follower, "server")).containsEntry("redis_version", "7.0.0");
        Map<String, String> stats = info(follower, "stats");
        assertThat(Long.parseLong(stats.get("total_commands_processed"))).isPositive();
        assertThat(Long.parseLong(stats.get("total_error_replies"))).isGreaterThanOrEqualTo(1);
        assertThat(stats).containsKeys("instantaneous_ops_per_sec", "tryagain_replies", "indeterminate_replies");

        Map<String, String> replication = info(leader, "replication");
        assertThat(replication).containsEntry("raft_role", "leader").containsEntry("raft_followers", "2");
        for (int i = 0; i < 2; i++) {
            assertThat(replication.get("raft_follower" + i)).matches("id=n\\d,addr=127\\.0\\.0\\.1:\\d+,"
                    + "match_index=\\d+,lag=\\d+,learner=0");
        }
        assertThat(info(follower, "replication")).containsEntry("raft_followers", "0");
        assertThat(info(leader, "raft")).containsKeys("fsync_p99_ms", "commit_p99_ms");
        assertThat(info(leader, "raft").get("commit_p99_ms")).matches("\\d+\\.\\d\\d");
    }

    @Test
    @Order(4)
    void operatorCommandsPrintWhatHappenedAndExitWithAStatusScriptsCanUse() {
        String port = String.valueOf(cluster.clientPort((leader + 1) % 3));
        Run members = keelKv("members", "-p", port);
        assertThat(members.status()).as(members.err()).isZero();
        assertThat(members.out()).contains("n1", "n2", "n3", "voter", "(leader)", "configuration at entry");

        Run status = keelKv("status", "-p", port);
        assertThat(status.status()).as(status.out() + status.err()).isZero();
        assertThat(status.out().lines()).allMatch(l -> l.length() <= 80);
        assertThat(status.out()).contains("leader " + cluster.id(leader), "NODE", "FSYNC99");
        assertThat(status.out().lines().filter(l -> l.matches("n\\d\\s+(leader|follower)\\s+.*"))).hasSize(3);

        Run snapshot = keelKv("snapshot", "-p", port);
        assertThat(snapshot.status()).as(snapshot.err()).isZero();
        assertThat(snapshot.out()).startsWith("snapshot taken at index ");

        String target = cluster.id((leader + 2) % 3);
        Run transfer = keelKv("transfer", target, "-p", port);
        assertThat(transfer.status()).as(transfer.err()).isZero();
        assertThat(transfer.out()).contains(target + " is the leader now");
        leader = cluster.awaitLeader(WAIT);
        assertThat(cluster.id(leader)).isEqualTo(target);

        int spare = LocalKvCluster.freePorts(1)[0];
        Run add = keelKv("add", "n4", "127.0.0.1:" + spare, "--learner", "-p", port);
        assertThat(add.status()).as(add.err()).isZero();
        assertThat(add.out()).contains("n4 added as a learner at 127.0.0.1:" + spare)
                .containsPattern("(?m)^n4\\s+learner\\s+127\\.0\\.0\\.1:" + spare);
        Run again = keelKv("add", "n4", "127.0.0.1:" + spare, "--learner", "-p", port);
        assertThat(again.status()).as("a retried add is done, not an error: " + again.err()).isZero();
        Run elsewhere = keelKv("add", "n4", "127.0.0.1:" + (spare + 1), "--learner", "-p", port);
        assertThat(elsewhere.status()).isEqualTo(1);
        assertThat(elsewhere.err()).contains("n4 is already a member");
        Run remove = keelKv("remove", "n4", "-p", port);
        assertThat(remove.status()).as(remove.err()).isZero();
        assertThat(remove.out()).contains("n4 removed").doesNotContainPattern("(?m)^n4\\s+(voter|learner)");
        Run removeAgain = keelKv("remove", "n4", "-p", port);
        assertThat(removeAgain.status()).isEqualTo(1);
        assertThat(removeAgain.err()).contains("n4 is not a member");

        Run unknown = keelKv("transfer", "n9", "-p", port);
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("n9 is not a voter");
        Run badAddress = keelKv("add", "n4", "no-port", "-p", port);
        assertThat(badAddress.status()).isEqualTo(2);
        int closed = LocalKvCluster.freePorts(1)[0];
        Run nobody = keelKv("members", "-n", "127.0.0.1:" + closed);
        assertThat(nobody.status()).isEqualTo(3);
        assertThat(nobody.err()).contains("no node answered");
    }

    @Test
    @Order(5)
    void aNodeWithoutALeaderIsNotReadyAndItsClientsGetTryAgain() throws Exception {
        int survivor = leader;
        int[] others = Arrays.stream(new int[]{0, 1, 2}).filter(i -> i != survivor).toArray();
        long tryAgainBefore = Long.parseLong(info(survivor, "stats").get("tryagain_replies"));
        cluster.stop(others[0]);
        cluster.stop(others[1]);
        // CheckQuorum: the leader steps down once it has not heard from a majority for an election timeout.
        Await.until("the survivor to know no leader", WAIT, () -> cluster.node(survivor).raft().status().leader()
                == null);
        HttpResponse<String> ready = get(survivor, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).startsWith("no leader known");
        assertThat(get(survivor, "/livez").statusCode()).isEqualTo(200);
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(survivor), 10_000)) {
            assertThatThrownBy(() -> j.set("x", "y")).hasMessageStartingWith("TRYAGAIN");
        }
        assertThat(Long.parseLong(info(survivor, "stats").get("tryagain_replies"))).isEqualTo(tryAgainBefore + 1);
        Run status = keelKv("status", "-p", String.valueOf(cluster.clientPort(survivor)));
        assertThat(status.status()).isEqualTo(1);
        assertThat(status.out()).contains("NO LEADER", "no node says it leads");

        cluster.start(others[0]);
        Await.until("the survivor to be ready again", WAIT, () -> get(survivor, "/readyz").statusCode() == 200);
    }
}
