package dev.keel.raft;

import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Readiness: waiting for a leader instead of polling status(), on every member, with a deadline. */
class ReadinessTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            // Patient enough that a loaded 2-core machine does not make a healthy leader look dead.
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftServer> servers = new HashMap<>();
    private final Map<NodeId, RecordingStateMachine> machines = new HashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private RaftServer build(NodeId id, InMemoryLogStorage log) {
        RecordingStateMachine sm = new RecordingStateMachine();
        RaftServer s = RaftServer.builder().id(id).members(IDS).config(CONFIG).stateMachine(sm).logStorage(log)
                .transport(network.transport(id)).build();
        servers.put(id, s);
        machines.put(id, sm);
        return s;
    }

    @Test
    void everyMemberIsReadyOnceALeaderIsKnownAndWhatWasCommittedIsApplied() throws Exception {
        List<CompletableFuture<ServerStatus>> ready = new ArrayList<>();
        for (NodeId id : IDS) {
            RaftServer s = build(id, InMemoryLogStorage.autoSync());
            // Asked before start: it completes once the cluster has come up.
            ready.add(s.whenReady());
            s.start();
        }
        for (CompletableFuture<ServerStatus> f : ready) {
            ServerStatus status = f.get(30, TimeUnit.SECONDS);
            assertThat(status.leader()).isNotNull();
            assertThat(status.appliedIndex()).isPositive();
        }
        RaftServer any = servers.get(IDS.get(2));
        ServerStatus s = any.awaitLeader(WAIT);
        assertThat(servers.get(s.leader()).status().isLeader()).isTrue();
        // Ready means a submit through it is served at once.
        any.submit(new byte[]{1}).get(20, TimeUnit.SECONDS);
    }

    @Test
    void aRestartedMemberIsReadyOnlyOnceItHasAppliedWhatWasCommittedBefore() throws Exception {
        Map<NodeId, InMemoryLogStorage> logs = new HashMap<>();
        for (NodeId id : IDS) {
            logs.put(id, InMemoryLogStorage.autoSync());
            build(id, logs.get(id)).start();
        }
        RaftServer leader = servers.get(servers.get(IDS.get(0)).awaitLeader(WAIT).leader());
        for (int i = 0; i < 200; i++) {
            leader.submit(new byte[]{(byte) i});
        }
        leader.submit(new byte[]{-1}).get(20, TimeUnit.SECONDS);
        long committed = leader.status().commitIndex();
        NodeId follower = IDS.stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
        servers.remove(follower).close();

        RaftServer restarted = build(follower, logs.get(follower).crash());
        restarted.start();
        ServerStatus status = restarted.awaitLeader(WAIT);

        assertThat(status.appliedIndex()).isGreaterThanOrEqualTo(committed);
        assertThat(machines.get(follower).size()).isGreaterThanOrEqualTo(201);
    }

    @Test
    void withoutAQuorumAwaitLeaderTimesOutSayingWhyAndClosingFailsTheWait() throws Exception {
        RaftServer alone = build(IDS.get(0), InMemoryLogStorage.autoSync());
        alone.start();

        assertThatThrownBy(() -> alone.awaitLeader(Duration.ofMillis(200)))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("no leader is known");

        CompletableFuture<ServerStatus> pending = alone.whenReady();
        alone.close();
        assertThatThrownBy(() -> pending.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ServerStoppedException.class);
        assertThatThrownBy(() -> alone.awaitLeader(Duration.ofSeconds(1)))
                .isInstanceOf(ServerStoppedException.class);
        Await.until("closed", alone::isClosed);
    }
}
