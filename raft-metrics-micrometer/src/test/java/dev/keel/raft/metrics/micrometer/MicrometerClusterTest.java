package dev.keel.raft.metrics.micrometer;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.RecordingStateMachine;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Three servers sharing one Micrometer registry keep their series apart by the node tag. */
class MicrometerClusterTest {
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<RaftServer> servers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        servers.forEach(RaftServer::close);
    }

    private RaftServer leader() {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader", Duration.ofSeconds(30), () -> servers.stream().filter(s -> s.status().isLeader())
                .findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }

    @Test
    void aClusterReportsItsCommitsElectionsAndFollowersThroughMicrometer() throws Exception {
        InMemoryNetwork network = new InMemoryNetwork();
        // Patient timeouts: on a loaded machine short ones make leaders step down with no fault.
        RaftConfig config = RaftConfig.builder().tickInterval(Duration.ofMillis(10))
                .heartbeatInterval(Duration.ofMillis(50))
                .electionTimeout(Duration.ofMillis(1000), Duration.ofMillis(2000)).build();
        MicrometerMetrics metrics = MicrometerMetrics.of(registry);
        for (NodeId id : IDS) {
            RaftServer s = RaftServer.builder().id(id).members(IDS).config(config)
                    .stateMachine(new RecordingStateMachine()).logStorage(InMemoryLogStorage.autoSync())
                    .transport(network.transport(id)).metrics(metrics).build();
            servers.add(s);
            s.start();
        }
        int written = 0;
        while (written < 100) {
            try {
                leader().submit(new byte[]{(byte) written}).get(30, TimeUnit.SECONDS);
                written++;
            } catch (java.util.concurrent.ExecutionException e) {
                // Leadership moved: write again through the next leader.
            }
        }
        RaftServer[] leader = {leader()};
        String l = leader[0].id().value();

        double applied = registry.find(KeelMetrics.APPLY_LATENCY.name()).timers().stream()
                .mapToDouble(Timer::count).sum();
        assertThat(applied).as("one apply latency per acknowledged command, over the nodes").isEqualTo(100);
        Timer commit = registry.get(KeelMetrics.COMMIT_LATENCY.name()).tag("node", l).timer();
        assertThat(commit.totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(registry.get(KeelMetrics.ELECTIONS_WON.name()).tag("node", l).counter().count())
                .isGreaterThanOrEqualTo(1);
        Await.until("one lag gauge per follower on the leader", Duration.ofSeconds(30), () -> registry
                .find(KeelMetrics.FOLLOWER_LAG.name()).tag("node", l).gauges().size() == 2);
        for (NodeId id : IDS) {
            Await.until(id + "'s commit index gauge to reach the leader's", Duration.ofSeconds(30), () -> registry
                    .get(KeelMetrics.COMMIT_INDEX.name()).tag("node", id.value()).gauge().value()
                    >= leader[0].status().commitIndex());
        }
    }
}
