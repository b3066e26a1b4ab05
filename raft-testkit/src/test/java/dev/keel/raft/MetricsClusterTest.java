package dev.keel.raft;

import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.Metric;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.InMemorySnapshotStorage;
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
    // Patient timeouts: on a machine loaded far beyond its cores, short ones make leaders step down with no fault.
    private static final RaftConfig CONFIG = RaftConfig.builder()
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(1000), Duration.ofMillis(2000))
            // A submit to a follower then fails as not leader (and is counted so) instead of being forwarded.
            .forwarding(false)
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final Map<NodeId, RaftServer> servers = new LinkedHashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private void startAll() {
        startAll(CONFIG);
    }

    private void startAll(RaftConfig config) {
        for (NodeId id : IDS) {
            RaftServer s = RaftServer.builder().id(id).members(IDS).config(config)
                    .stateMachine(new RecordingStateMachine()).logStorage(InMemoryLogStorage.autoSync())
                    .snapshotStorage(new InMemorySnapshotStorage())
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

    /** Writes {@code count} commands, each through the leader of the moment, retrying those that fail. */
    private void writeThroughWhoeverLeads(int count) throws Exception {
        int done = 0;
        while (done < count) {
            try {
                leader().submit(("w" + done).getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
                done++;
            } catch (ExecutionException e) {
                // Leadership moved: try again on the next leader.
            }
        }
    }

    private long total(Metric histogram) {
        return IDS.stream().mapToLong(id -> metrics.values(histogram, node(id)).size()).sum();
    }

    @Test
    void electionsCommitsIndexesAndRejectionsAreReportedPerNode() throws Exception {
        startAll();
        RaftServer leader = leader();
        NodeId l = leader.id();
        assertThat(metrics.count(KeelMetrics.ELECTIONS_WON, node(l))).isGreaterThanOrEqualTo(1);
        assertThat(metrics.count(KeelMetrics.ELECTIONS_STARTED, node(l)))
                .isGreaterThanOrEqualTo(metrics.count(KeelMetrics.ELECTIONS_WON, node(l)));
        assertThat(metrics.count(KeelMetrics.PREVOTES_STARTED, node(l))).as("PreVote is on by default")
                .isGreaterThanOrEqualTo(1);
        for (NodeId id : IDS) {
            Await.until(id + " counts the leader it learned of", WAIT,
                    () -> metrics.count(KeelMetrics.LEADER_CHANGES, node(id)) >= 1);
        }

        writeThroughWhoeverLeads(200);
        Await.until("every acknowledged command's apply latency recorded", WAIT,
                () -> total(KeelMetrics.APPLY_LATENCY) == 200);
        assertThat(total(KeelMetrics.COMMIT_LATENCY)).as("a commit latency per command committed")
                .isGreaterThanOrEqualTo(200);
        for (NodeId id : IDS) {
            assertThat(metrics.values(KeelMetrics.COMMIT_LATENCY, node(id))).allMatch(v -> v > 0);
            if (metrics.count(KeelMetrics.ELECTIONS_WON, node(id)) == 0) {
                assertThat(metrics.values(KeelMetrics.COMMIT_LATENCY, node(id))).as(id + " never led")
                        .isEmpty();
            }
        }
        RaftServer current = leader();
        NodeId now = current.id();
        long replicated = metrics.values(KeelMetrics.APPEND_ENTRIES_BATCH, node(now)).stream()
                .mapToLong(Long::longValue).sum();
        assertThat(replicated).as("entries " + now + " sent in AppendEntries").isPositive();

        long commit = current.status().commitIndex();
        for (NodeId id : IDS) {
            Await.until(id + "'s index gauges to reach " + commit, WAIT,
                    () -> gauge(KeelMetrics.COMMIT_INDEX, id) >= commit && gauge(KeelMetrics.APPLIED_INDEX, id) >= commit);
            assertThat(gauge(KeelMetrics.TERM, id)).isEqualTo(current.status().term());
            assertThat(gauge(KeelMetrics.IS_LEADER, id)).isEqualTo(id.equals(now) ? 1 : 0);
            assertThat(gauge(KeelMetrics.HAS_LEADER, id)).isEqualTo(1);
            assertThat(gauge(KeelMetrics.LAST_LOG_INDEX, id)).isGreaterThanOrEqualTo(commit);
            assertThat(gauge(KeelMetrics.SNAPSHOT_INDEX, id)).isZero();
            assertThat(gauge(KeelMetrics.PENDING, id, "op", "submit")).isZero();
            assertThat(gauge(KeelMetrics.PENDING, id, "op", "read")).isZero();
        }

        NodeId follower = IDS.stream().filter(id -> !id.equals(now)).findFirst().orElseThrow();
        Map<String, String> notLeader = node(follower, "op", "submit", "reason", "not_leader");
        long before = metrics.count(KeelMetrics.REJECTIONS, notLeader);
        assertThatThrownBy(() -> servers.get(follower).submit(new byte[]{1}).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotLeaderException.class);
        assertThat(metrics.count(KeelMetrics.REJECTIONS, notLeader)).isEqualTo(before + 1);
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
        Await.until("the connected follower's lag to be 0", WAIT, () -> gauge(KeelMetrics.FOLLOWER_LAG, l,
                "follower", followers.get(1).value()) == 0);
        assertThat(gauge(KeelMetrics.FOLLOWER_LAG, l, "follower", cut.value())).as("still cut off").isGreaterThanOrEqualTo(100);

        network.heal();
        Await.until(cut + "'s lag to fall back to 0", WAIT, () -> gauge(KeelMetrics.FOLLOWER_LAG, l,
                "follower", cut.value()) == 0);

        leader.close();
        Await.until("the closed leader's gauges removed", WAIT, () -> metrics.gaugeKeys().stream()
                .noneMatch(k -> k.contains("node=" + l.value())));
    }

    @Test
    void snapshotsAndAnInstallSnapshotAreTimedAndSizedOnBothEnds() throws Exception {
        startAll(RaftConfig.builder().tickInterval(Duration.ofMillis(10)).heartbeatInterval(Duration.ofMillis(50))
                .electionTimeout(Duration.ofMillis(1000), Duration.ofMillis(2000))
                .snapshotInterval(100).logRetention(10).snapshotChunkBytes(512).build());
        NodeId first = leader().id();
        NodeId behind = IDS.stream().filter(id -> !id.equals(first)).findFirst().orElseThrow();
        network.isolate(behind);
        writeThroughWhoeverLeads(300);
        Await.until("the leader to compact its log behind a snapshot", WAIT,
                () -> leader().status().firstLogIndex() > 100);
        NodeId l = leader().id();
        assertThat(l).as("the isolated follower cannot lead").isNotEqualTo(behind);
        assertThat(metrics.values(KeelMetrics.SNAPSHOT_SIZE, node(l))).isNotEmpty().allMatch(v -> v > 0);
        assertThat(metrics.values(KeelMetrics.SNAPSHOT_DURATION, node(l))).as("one duration per snapshot")
                .hasSameSizeAs(metrics.values(KeelMetrics.SNAPSHOT_SIZE, node(l))).allMatch(v -> v > 0);
        assertThat(gauge(KeelMetrics.SNAPSHOT_INDEX, l)).isGreaterThanOrEqualTo(100);
        assertThat(metrics.values(KeelMetrics.INSTALL_SNAPSHOT_DURATION, node(behind))).isEmpty();

        network.heal();
        Await.until(behind + " to catch up through a snapshot", WAIT,
                () -> servers.get(behind).status().appliedIndex() >= leader().status().commitIndex());
        Map<String, String> received = node(behind, "direction", "received");
        Await.until(behind + "'s InstallSnapshot to be timed", WAIT,
                () -> metrics.values(KeelMetrics.INSTALL_SNAPSHOT_DURATION, node(behind)).size() == 1);
        assertThat(metrics.values(KeelMetrics.INSTALL_SNAPSHOT_DURATION, node(behind))).allMatch(v -> v > 0);
        long snapshotBytes = servers.get(behind).status().snapshotIndex() > 0 ? metrics.count(
                KeelMetrics.INSTALL_SNAPSHOT_BYTES, received) : -1;
        assertThat(snapshotBytes).as("the snapshot's bytes, received in 512-byte chunks").isGreaterThan(512);
        long sent = IDS.stream().filter(id -> !id.equals(behind))
                .mapToLong(id -> metrics.count(KeelMetrics.INSTALL_SNAPSHOT_BYTES, node(id, "direction", "sent")))
                .sum();
        assertThat(sent).as("every byte received was sent").isGreaterThanOrEqualTo(snapshotBytes);
        assertThat(metrics.count(KeelMetrics.INSTALL_SNAPSHOT_BYTES, node(behind, "direction", "sent"))).isZero();
    }

    @Test
    void aLeaderWithTooManyProposalsPendingRejectsTheNextAsBusyAndShowsThemPending() throws Exception {
        startAll(RaftConfig.builder().tickInterval(Duration.ofMillis(10)).heartbeatInterval(Duration.ofMillis(50))
                .electionTimeout(Duration.ofMillis(1000), Duration.ofMillis(2000)).maxPendingProposals(2).build());
        RaftServer leader;
        List<CompletableFuture<byte[]>> pending = new ArrayList<>();
        CompletableFuture<byte[]> third;
        do {
            network.heal();
            leader = leader();
            assertThat(gauge(KeelMetrics.PENDING, leader.id(), "op", "submit")).isZero();
            // Nothing commits while the leader is cut off from both followers: what it accepts stays pending.
            network.isolate(leader.id());
            pending.clear();
            pending.add(leader.submit(new byte[]{1}));
            pending.add(leader.submit(new byte[]{2}));
            third = leader.submit(new byte[]{3});
            // Only if this machine stalled us past CheckQuorum's step-down (an election timeout): go again.
        } while (pending.get(0).isCompletedExceptionally() && !leader.status().isLeader());
        NodeId l = leader.id();
        Map<String, String> busy = node(l, "op", "submit", "reason", "busy");
        assertThat(third).as("the third, past maxPendingProposals = 2").isCompletedExceptionally();
        assertThatThrownBy(third::join).hasCauseInstanceOf(ServerBusyException.class);
        assertThat(metrics.count(KeelMetrics.REJECTIONS, busy)).isEqualTo(1);
        if (pending.stream().noneMatch(CompletableFuture::isDone)) {
            assertThat(gauge(KeelMetrics.PENDING, l, "op", "submit")).isEqualTo(2);
        }

        network.heal();
        for (CompletableFuture<byte[]> f : pending) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                // The leader may have stepped down while cut off (CheckQuorum): the outcome is then unknown.
            }
        }
        Await.until("nothing pending once the proposals ended", WAIT,
                () -> gauge(KeelMetrics.PENDING, l, "op", "submit") == 0);
    }
}
