package dev.keel.raft;

import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A 3-node cluster of real servers on real threads, in one JVM, with in-memory network and storage. */
class RaftServerClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            .tickInterval(Duration.ofMillis(5))
            .heartbeatInterval(Duration.ofMillis(20))
            .electionTimeout(Duration.ofMillis(150), Duration.ofMillis(300))
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftServer> servers = new HashMap<>();
    private final Map<NodeId, RecordingStateMachine> machines = new HashMap<>();
    private final Map<NodeId, InMemoryLogStorage> storages = new HashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private RaftServer startServer(NodeId id, InMemoryLogStorage storage) {
        RecordingStateMachine sm = new RecordingStateMachine();
        RaftServer server = RaftServer.builder()
                .id(id)
                .members(IDS)
                .config(CONFIG)
                .stateMachine(sm)
                .logStorage(storage)
                .transport(network.transport(id))
                .build();
        servers.put(id, server);
        machines.put(id, sm);
        storages.put(id, storage);
        server.start();
        return server;
    }

    private RaftServer awaitLeader() {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader", WAIT, () -> {
            for (RaftServer s : servers.values()) {
                if (!s.isClosed() && s.status().isLeader()) {
                    found[0] = s;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static byte[] command(int i) {
        return ("cmd-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static void submitAll(RaftServer leader, int from, int to) throws Exception {
        Semaphore window = new Semaphore(256);
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int i = from; i < to; i++) {
            window.acquire();
            CompletableFuture<byte[]> f = leader.submit(command(i));
            f.whenComplete((r, e) -> window.release());
            futures.add(f);
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long previous = 0;
        for (CompletableFuture<byte[]> f : futures) {
            long index = ByteBuffer.wrap(f.get()).getLong();
            assertThat(index).isGreaterThan(previous);
            previous = index;
        }
    }

    private static List<String> asStrings(List<byte[]> commands) {
        return commands.stream().map(b -> new String(b, StandardCharsets.UTF_8)).collect(Collectors.toList());
    }

    @Test
    void electsAppliesTenThousandSubmitsSurvivesClosingTheLeaderAndEndsIdentical() throws Exception {
        for (NodeId id : IDS) {
            startServer(id, InMemoryLogStorage.autoSync());
        }
        RaftServer leader = awaitLeader();
        submitAll(leader, 0, 10_000);

        // A follower forwards a write to the leader and relays its result: the index it was applied at.
        RaftServer follower = servers.values().stream().filter(s -> s != leader).findFirst().orElseThrow();
        Await.until("the follower to know the leader", WAIT, () -> leader.id().equals(follower.status().leader()));
        long forwardedAt = ByteBuffer.wrap(follower.submit(command(10_000)).get(10, TimeUnit.SECONDS)).getLong();
        assertThat(forwardedAt).isEqualTo(leader.status().lastLogIndex());

        // Linearizable reads on the leader and through a follower see every acknowledged write.
        assertThat(ByteBuffer.wrap(leader.read(new byte[0]).get(10, TimeUnit.SECONDS)).getLong()).isEqualTo(10_001);
        assertThat(ByteBuffer.wrap(follower.read(new byte[0]).get(10, TimeUnit.SECONDS)).getLong()).isEqualTo(10_001);

        // Close the leader: the other two elect a new one and keep accepting writes.
        NodeId oldLeader = leader.id();
        leader.close();
        assertThat(leader.isClosed()).isTrue();
        RaftServer newLeader = awaitLeader();
        assertThat(newLeader.id()).isNotEqualTo(oldLeader);
        submitAll(newLeader, 10_001, 10_500);

        // Restart the old leader from what its storage made durable: it catches up.
        servers.remove(oldLeader);
        startServer(oldLeader, storages.get(oldLeader).crash());

        Await.until("every state machine to apply all 10,500 commands", WAIT,
                () -> machines.values().stream().allMatch(m -> m.size() == 10_500));
        List<String> reference = asStrings(machines.get(IDS.get(0)).applied());
        for (NodeId id : IDS) {
            assertThat(asStrings(machines.get(id).applied())).as("state machine of %s", id).isEqualTo(reference);
        }
        for (int i = 0; i < 10_500; i++) {
            assertThat(reference.get(i)).isEqualTo("cmd-" + i);
        }
    }

    @Test
    void aFollowerFarBehindIsCaughtUpWithEntriesTheLeaderReadsOffItsEventLoop() throws Exception {
        for (NodeId id : IDS) {
            startServer(id, InMemoryLogStorage.autoSync().cacheRecent(20));
        }
        RaftServer leader = awaitLeader();
        NodeId behind = IDS.stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
        servers.remove(behind).close();
        submitAll(leader, 0, 2_000);

        // The follower comes back 2,000 entries behind: all but the newest 20 are "on disk" for the leader.
        startServer(behind, storages.get(behind).crash().cacheRecent(20));
        Await.until("the returning follower to apply all 2,000 commands", WAIT,
                () -> machines.get(behind).size() == 2_000);
        assertThat(storages.values().stream().mapToLong(InMemoryLogStorage::asyncReads).sum())
                .as("reads the leader made off its event loop").isPositive();
        assertThat(asStrings(machines.get(behind).applied()))
                .isEqualTo(asStrings(machines.get(leader.id()).applied()));
    }

    @Test
    void aSingleServerClusterCommitsOnItsOwn() throws Exception {
        NodeId only = NodeId.of("solo");
        RecordingStateMachine sm = new RecordingStateMachine();
        RaftServer server = RaftServer.builder().id(only).members(only).config(CONFIG).stateMachine(sm)
                .logStorage(InMemoryLogStorage.autoSync()).transport(network.transport(only)).build();
        servers.put(only, server);
        server.start();
        Await.until("the single server to lead", WAIT, () -> server.status().isLeader());
        for (int i = 0; i < 100; i++) {
            server.submit(command(i)).get(10, TimeUnit.SECONDS);
        }
        assertThat(ByteBuffer.wrap(server.read(new byte[0]).get(10, TimeUnit.SECONDS)).getLong()).isEqualTo(100);
        assertThat(server.status().commitIndex()).isEqualTo(101);
    }
}
