package dev.keel.raft;

import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.Metric;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.RecordingMetrics;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a cluster of real servers reports through the metrics SPI while it elects, replicates and loses a member. */
class MetricsClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            .tickInterval(Duration.ofMillis(5))
            .heartbeatInterval(Duration.ofMillis(20))
            .electionTimeout(Duration.ofMillis(150), Duration.ofMillis(300))
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final Map<NodeId, RaftServer> servers = new LinkedHashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private void startAll() {
        for (NodeId id : IDS) {
            RaftServer s = RaftServer.builder().id(id).members(IDS).config(CONFIG)
                    .stateMachine(new RecordingStateMachine()).logStorage(InMemoryLogStorage.autoSync())
                    .transport(network.transport(id)).metrics(metrics).build();
            servers.put(id, s);
            s.start();
        }
    }

    private RaftServer leader() {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader", WAIT, () -> servers.values().stream().filter(s -> !s.isClosed())
                .filter(s -> s.status().isLeader()).findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }

    private static Map<String, String> node(NodeId id, String... more) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("node", id.value());
        for (int i = 0; i < more.length; i += 2) {
            tags.put(more[i], more[i + 1]);
        }
        return tags;
    }

    private long gauge(Metric m, NodeId id, String... tags) {
        return metrics.gauge(m, node(id, tags)).orElseThrow(() -> new AssertionError("no gauge " + m.name()
                + " for " + id + " " + List.of(tags) + "; registered: " + metrics.gaugeKeys()));
    }

    private static void submitAll(RaftServer leader, int from, int to) throws Exception {
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int i = from; i < to; i++) {
            futures.add(leader.submit(("c" + i).getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void electionsCommitsIndexesAndRejectionsAreReportedPerNode() throws Exception {
        startAll();
        RaftServer leader = leader();
        NodeId l = leader.id();
        assertThat(metrics.count(KeelMetrics.ELECTIONS_WON, node(l))).isEqualTo(1);
        assertThat(metrics.count(KeelMetrics.ELECTIONS_STARTED, node(l))).isGreaterThanOrEqualTo(1);
        assertThat(metrics.count(KeelMetrics.PREVOTES_STARTED, node(l))).as("PreVote is on by default")
                .isGreaterThanOrEqualTo(1);
        for (NodeId id : IDS) {
            Await.until(id + " counts the leader it learned of", WAIT,
                    () -> metrics.count(KeelMetrics.LEADER_CHANGES, node(id)) >= 1);
        }

        submitAll(leader, 0, 200);
        assertThat(metrics.values(KeelMetrics.COMMIT_LATENCY, node(l))).hasSize(200).allMatch(v -> v > 0);
        Await.until("every command's apply latency recorded", WAIT,
                () -> metrics.values(KeelMetrics.APPLY_LATENCY, node(l)).size() == 200);
        long replicated = metrics.values(KeelMetrics.APPEND_ENTRIES_BATCH, node(l)).stream()
                .mapToLong(Long::longValue).sum();
        assertThat(replicated).as("entries sent in AppendEntries, to two followers").isGreaterThanOrEqualTo(400);
        for (NodeId id : IDS) {
            assertThat(metrics.values(KeelMetrics.COMMIT_LATENCY, node(id))).as("only the leader commits proposals")
                    .hasSize(id.equals(l) ? 200 : 0);
        }

        long commit = leader.status().commitIndex();
        for (NodeId id : IDS) {
            Await.until(id + "'s index gauges to reach " + commit, WAIT,
                    () -> gauge(KeelMetrics.COMMIT_INDEX, id) >= commit && gauge(KeelMetrics.APPLIED_INDEX, id) >= commit);
            assertThat(gauge(KeelMetrics.TERM, id)).isEqualTo(leader.status().term());
            assertThat(gauge(KeelMetrics.IS_LEADER, id)).isEqualTo(id.equals(l) ? 1 : 0);
            assertThat(gauge(KeelMetrics.HAS_LEADER, id)).isEqualTo(1);
            assertThat(gauge(KeelMetrics.LAST_LOG_INDEX, id)).isGreaterThanOrEqualTo(commit);
            assertThat(gauge(KeelMetrics.SNAPSHOT_INDEX, id)).isZero();
            assertThat(gauge(KeelMetrics.PENDING, id, "op", "submit")).isZero();
            assertThat(gauge(KeelMetrics.PENDING, id, "op", "read")).isZero();
        }

        NodeId follower = IDS.stream().filter(id -> !id.equals(l)).findFirst().orElseThrow();
        assertThatThrownBy(() -> servers.get(follower).submit(new byte[]{1}).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotLeaderException.class);
        assertThat(metrics.count(KeelMetrics.REJECTIONS, node(follower, "op", "submit", "reason", "not_leader")))
                .isEqualTo(1);
        assertThat(metrics.count(KeelMetrics.REJECTIONS, node(l, "op", "submit", "reason", "not_leader"))).isZero();
    }

    @Test
    void theLeaderReportsEachFollowersLagWhichRisesWhileItIsCutOffAndFallsOnceItCatchesUp() throws Exception {
        startAll();
        RaftServer leader = leader();
        NodeId l = leader.id();
        List<NodeId> followers = IDS.stream().filter(id -> !id.equals(l)).toList();
        submitAll(leader, 0, 10);
        for (NodeId f : followers) {
            Await.until(f + " shown caught up", WAIT, () -> metrics.gauge(KeelMetrics.FOLLOWER_LAG,
                    node(l, "follower", f.value())).orElse(-1) == 0);
            assertThat(gauge(KeelMetrics.FOLLOWER_MATCH_INDEX, l, "follower", f.value()))
                    .isEqualTo(leader.status().lastLogIndex());
        }
        assertThat(metrics.gauge(KeelMetrics.FOLLOWER_LAG, node(followers.get(0), "follower", l.value())))
                .as("followers report no lag of their own").isEmpty();

        NodeId cut = followers.get(0);
        // The other follower still makes a majority.
        network.cut(l, cut);
        network.cut(cut, l);
        submitAll(leader, 10, 110);
        Await.until(cut + "'s lag to show the 100 entries it lacks", WAIT, () -> gauge(KeelMetrics.FOLLOWER_LAG, l,
                "follower", cut.value()) >= 100);
        assertThat(gauge(KeelMetrics.FOLLOWER_LAG, l, "follower", followers.get(1).value())).isLessThan(100);

        network.heal();
        Await.until(cut + "'s lag to fall back to 0", WAIT, () -> gauge(KeelMetrics.FOLLOWER_LAG, l,
                "follower", cut.value()) == 0);

        leader.close();
        Await.until("the closed leader's gauges removed", WAIT, () -> metrics.gaugeKeys().stream()
                .noneMatch(k -> k.contains("node=" + l.value())));
    }
}
