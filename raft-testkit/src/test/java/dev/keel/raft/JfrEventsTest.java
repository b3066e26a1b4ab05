package dev.keel.raft;

import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.InMemorySnapshotStorage;
import dev.keel.raft.testing.RecordingStateMachine;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JFR recording taken while a cluster elects a leader, snapshots, sends a snapshot to a follower that fell behind,
 * loses its leader and elects another holds Keel's events for each, with the fields an operator reads.
 */
class JfrEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            // Patient: a loaded 2-core machine must not make a healthy leader look dead.
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(1000), Duration.ofMillis(2000))
            .snapshotInterval(100)
            .logRetention(10)
            .snapshotChunkBytes(512)
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftServer> servers = new LinkedHashMap<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private RaftServer leader() {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader", WAIT, () -> servers.values().stream().filter(s -> !s.isClosed())
                .filter(s -> s.status().isLeader()).findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }

    /** Writes {@code count} commands, each through the leader of the moment, retrying those that fail. */
    private void writeThroughWhoeverLeads(int count) throws Exception {
        int done = 0;
        while (done < count) {
            try {
                leader().submit(("command " + done).getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
                done++;
            } catch (java.util.concurrent.ExecutionException e) {
                // Leadership moved (a loaded machine can delay heartbeats past the election timeout): try again.
            }
        }
    }

    @Test
    void aRecordingTakenDuringElectionsHoldsElectionLeaderChangeSnapshotAndInstallSnapshotEvents() throws Exception {
        List<RecordedEvent> events;
        NodeId first;
        NodeId second;
        NodeId behind;
        try (Recording recording = new Recording()) {
            for (String name : List.of("Election", "LeaderChange", "Snapshot", "InstallSnapshot")) {
                recording.enable("dev.keel.raft." + name).withoutThreshold();
            }
            recording.start();
            for (NodeId id : IDS) {
                RaftServer s = RaftServer.builder().id(id).members(IDS).config(CONFIG)
                        .stateMachine(new RecordingStateMachine()).logStorage(InMemoryLogStorage.autoSync())
                        .snapshotStorage(new InMemorySnapshotStorage()).transport(network.transport(id)).build();
                servers.put(id, s);
                s.start();
            }
            behind = leader().id().equals(IDS.get(0)) ? IDS.get(1) : IDS.get(0);
            network.isolate(behind);
            writeThroughWhoeverLeads(300);
            Await.until("the leader to compact its log behind a snapshot", WAIT,
                    () -> leader().status().firstLogIndex() > 100);
            network.heal();
            Await.until(behind + " to catch up through a snapshot", WAIT,
                    () -> servers.get(behind).status().appliedIndex() >= leader().status().commitIndex());

            RaftServer leader = leader();
            first = leader.id();
            leader.close();
            RaftServer next = leader();
            second = next.id();
            Await.until("the other member to follow " + second, WAIT, () -> servers.values().stream()
                    .filter(s -> !s.isClosed()).allMatch(s -> second.equals(s.status().leader())));
            recording.stop();
            Path file = dir.resolve("election.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
        }

        List<RecordedEvent> won = named(events, "dev.keel.raft.Election").stream()
                .filter(e -> e.getString("outcome").equals("won")).toList();
        assertThat(won).extracting(e -> e.getString("node")).contains(first.value(), second.value());
        for (RecordedEvent e : won) {
            assertThat(e.getString("leader")).isEqualTo(e.getString("node"));
            assertThat(e.getLong("elections")).isPositive();
            assertThat(e.getLong("term")).isPositive();
        }
        RecordedEvent secondWin = won.stream().filter(e -> e.getString("node").equals(second.value())).findFirst()
                .orElseThrow();
        assertThat(secondWin.getDuration()).as("the campaign after the leader closed took time")
                .isPositive();

        List<RecordedEvent> changes = named(events, "dev.keel.raft.LeaderChange");
        NodeId other = IDS.stream().filter(id -> !id.equals(first) && !id.equals(second)).findFirst().orElseThrow();
        assertThat(changes).anyMatch(e -> e.getString("node").equals(other.value())
                && e.getString("leader").equals(second.value()));
        assertThat(changes).anyMatch(e -> e.getString("node").equals(second.value())
                && e.getString("role").equals("leader") && e.getString("leader").equals(second.value()));
        assertThat(changes).as("the members saw the first leader go").anyMatch(e -> !e.getString("node")
                .equals(first.value()) && e.getString("previousLeader").equals(first.value()));

        assertThat(named(events, "dev.keel.raft.Snapshot")).anyMatch(e -> e.getBoolean("succeeded")
                && e.getLong("size") > 0 && e.getLong("index") >= 100);

        List<RecordedEvent> installs = named(events, "dev.keel.raft.InstallSnapshot");
        assertThat(installs).anyMatch(e -> e.getString("direction").equals("received")
                && e.getString("node").equals(behind.value()) && e.getString("outcome").equals("installed")
                && e.getLong("bytes") > 0);
        assertThat(installs).anyMatch(e -> e.getString("direction").equals("sent")
                && e.getString("peer").equals(behind.value()) && e.getString("outcome").equals("installed"));
    }

    private static List<RecordedEvent> named(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
    }
}
