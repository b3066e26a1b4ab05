package dev.keel.raft.examples.kv.container;

import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node's admin port as an operator's Prometheus sees it: three containers (one cluster for the whole class),
 * {@code /metrics} scraped from every node while clients write, a follower frozen and thawed, then a majority frozen.
 * Checks that the commit index moves on every node, that the leader's lag gauge for the frozen follower rises and
 * falls back once it is thawed, and that {@code /readyz} says not ready while a node has no leader.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KvMetricsIT {
    private static final Duration ELECTION = Duration.ofSeconds(30);
    private static final Duration CATCH_UP = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static ContainerCluster cluster;
    private static Load load;

    /** Writes through one node on a background thread until stopped; bounded in time by the test's timeout. */
    private static final class Load implements AutoCloseable {
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Load(int node) {
            thread = new Thread(() -> {
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                long n = 0;
                while (running.get() && System.nanoTime() < deadline) {
                    try (Jedis j = cluster.client(node, 10_000)) {
                        while (running.get() && System.nanoTime() < deadline) {
                            j.set("load:" + (n++ % 1000), "v" + n);
                            acknowledged.incrementAndGet();
                        }
                    } catch (JedisException e) {
                        // -TRYAGAIN or a broken connection while the cluster changes: try again.
                    }
                }
            }, "kv-metrics-load");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(Duration.ofSeconds(30).toMillis());
        }
    }

    @BeforeAll
    static void start() {
        DockerRequirement.check();
        cluster = new ContainerCluster("KvMetricsIT", 3);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (load != null) {
            load.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> get(int node, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + cluster.adminPort(node) + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static OptionalDouble sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
    }

    private static double metric(int node, String series) {
        return sample(get(node, "/metrics").body(), series).orElseThrow(() -> new AssertionError(
                "n" + (node + 1) + " has no series " + series));
    }

    private static String lag(int leader, int follower) {
        return "keel_follower_lag{follower=\"n" + (follower + 1) + "\",node=\"n" + (leader + 1) + "\"}";
    }

    private static List<Integer> all() {
        return IntStream.range(0, cluster.size()).boxed().toList();
    }

    @Test
    @Order(1)
    void everyNodesCommitIndexAndTheLogsFsyncCountMoveUnderLoad() {
        int leader = cluster.awaitLeader(ELECTION, all());
        load = new Load(leader);
        double[] commitBefore = new double[3];
        double[] fsyncsBefore = new double[3];
        for (int i = 0; i < 3; i++) {
            String id = "n" + (i + 1);
            String scrape = get(i, "/metrics").body();
            assertThat(scrape).contains("keel_term{node=\"" + id + "\"}", "keel_kv_commands_total",
                    "keel_transport_sent_bytes_total{node=\"" + id + "\"", "jvm_memory_used_bytes");
            commitBefore[i] = sample(scrape, "keel_commit_index{node=\"" + id + "\"}").orElseThrow();
            fsyncsBefore[i] = sample(scrape, "keel_log_fsync_latency_seconds_count{node=\"" + id + "\"}").orElse(0);
        }
        for (int i = 0; i < 3; i++) {
            int node = i;
            String id = "n" + (i + 1);
            Await.until(id + "'s commit index to move by 100 under load", CATCH_UP, () -> metric(node,
                    "keel_commit_index{node=\"" + id + "\"}") >= commitBefore[node] + 100);
            Await.until(id + "'s log to be forced again", CATCH_UP, () -> metric(node,
                    "keel_log_fsync_latency_seconds_count{node=\"" + id + "\"}") > fsyncsBefore[node]);
        }
        String leaderScrape = get(leader, "/metrics").body();
        String l = "n" + (leader + 1);
        assertThat(sample(leaderScrape, "keel_commit_latency_seconds_count{node=\"" + l + "\"}").orElseThrow())
                .isPositive();
        try (Jedis j = cluster.client(leader, 10_000)) {
            assertThat(j.info("raft")).as("INFO's fsync p99 over the last minute").containsPattern(
                    "fsync_p99_ms:\\d+\\.\\d\\d\r\n");
        }
    }

    @Test
    @Order(2)
    void everySeriesTheGrafanaDashboardQueriesIsExposed() throws IOException {
        StringBuilder scrapes = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            scrapes.append(get(i, "/metrics").body());
        }
        String all = scrapes.toString();
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(Path.of("grafana",
                "keel-kv-dashboard.json")));
        Set<String> queried = new TreeSet<>();
        Matcher names = Pattern.compile("\\b((?:keel|jvm)_[a-z0-9_]+)").matcher("");
        for (JsonNode expr : dashboard.findValues("expr")) {
            names.reset(expr.asString());
            while (names.find()) {
                queried.add(names.group(1));
            }
        }
        assertThat(queried).hasSizeGreaterThan(20);
        for (String name : queried) {
            assertThat(all).as("a series the dashboard queries").containsPattern("(?m)^" + name + "[{ ]");
        }
        assertThat(all).as("JVM and KV series carry the node too").containsPattern("(?m)^keel_kv_commands_total\\{"
                + "node=\"n\\d\"\\}");
    }

    @Test
    @Order(3)
    void theLeadersLagGaugeForAFrozenFollowerRisesAndFallsOnceItIsThawed() {
        int leader = cluster.awaitLeader(ELECTION, all());
        int follower = (leader + 1) % 3;
        Await.until("the leader to report a lag for n" + (follower + 1), ELECTION,
                () -> sample(get(leader, "/metrics").body(), lag(leader, follower)).isPresent());
        long writesBefore = load.acknowledged.get();
        cluster.pause(follower);
        try {
            Await.until("the frozen follower's lag to pass 200 entries", CATCH_UP,
                    () -> metric(leader, lag(leader, follower)) > 200);
            assertThat(load.acknowledged.get()).as("writes go on with two of three").isGreaterThan(writesBefore);
        } finally {
            cluster.unpause(follower);
        }
        Await.until("the thawed follower's lag to fall below 50", CATCH_UP,
                () -> metric(leader, lag(leader, follower)) < 50);
    }

    @Test
    @Order(4)
    void aNodeThatKnowsNoLeaderIsNotReadyAndIsAgainOnceItDoes() throws InterruptedException {
        if (load != null) {
            load.close();
        }
        int leader = cluster.awaitLeader(ELECTION, all());
        for (int i = 0; i < 3; i++) {
            int node = i;
            Await.until("n" + (i + 1) + " ready", CATCH_UP, () -> get(node, "/readyz").statusCode() == 200);
        }
        int survivor = (leader + 1) % 3;
        List<Integer> frozen = all().stream().filter(i -> i != survivor).toList();
        frozen.forEach(cluster::pause);
        try {
            Await.until("n" + (survivor + 1) + " to answer /readyz 503: no leader known", ELECTION, () -> {
                HttpResponse<String> r = get(survivor, "/readyz");
                return r.statusCode() == 503 && r.body().startsWith("no leader known");
            });
            assertThat(get(survivor, "/livez").statusCode()).isEqualTo(200);
            assertThat(metric(survivor, "keel_has_leader{node=\"n" + (survivor + 1) + "\"}")).isZero();
        } finally {
            frozen.forEach(cluster::unpause);
        }
        Await.until("n" + (survivor + 1) + " ready again", CATCH_UP,
                () -> get(survivor, "/readyz").statusCode() == 200);
    }
}
