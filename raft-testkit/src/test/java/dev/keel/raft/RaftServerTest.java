package dev.keel.raft;

import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.exception.StorageException;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lifecycle and failure contract of {@link RaftServer}. */
class RaftServerTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final RaftConfig FAST = RaftConfig.builder()
            .tickInterval(Duration.ofMillis(5))
            .heartbeatInterval(Duration.ofMillis(20))
            .electionTimeout(Duration.ofMillis(100), Duration.ofMillis(200))
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final List<RaftServer> servers = new ArrayList<>();

    @AfterEach
    void closeAll() {
        servers.forEach(RaftServer::close);
    }

    private RaftServer single(RaftConfig config, StateMachine sm, InMemoryLogStorage storage) {
        RaftServer s = RaftServer.builder().id(N1).members(N1).config(config).stateMachine(sm)
                .logStorage(storage).transport(network.transport(N1)).build();
        servers.add(s);
        return s;
    }

    private static void awaitLeader(RaftServer s) {
        Await.until(s.id() + " to lead", () -> s.status().isLeader());
    }

    @Test
    void theBuilderNamesWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> RaftServer.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("id is required");
        assertThatThrownBy(() -> RaftServer.builder().id(N1).members(N2, N3).stateMachine(new RecordingStateMachine())
                .logStorage(InMemoryLogStorage.autoSync()).transport(network.transport(N1)).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be one of the members");
        assertThatThrownBy(() -> RaftServer.builder().members(N1, N1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> RaftServer.builder().members(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    @Test
    void listenersHearOfRoleAndLeaderChanges() {
        List<ServerStatus> seen = new CopyOnWriteArrayList<>();
        RaftServer s = RaftServer.builder().id(N1).members(N1).config(FAST).stateMachine(new RecordingStateMachine())
                .logStorage(InMemoryLogStorage.autoSync()).transport(network.transport(N1))
                .listener(seen::add).build();
        servers.add(s);
        s.start();
        Await.until("a leadership notification", () -> seen.stream().anyMatch(ServerStatus::isLeader));
        ServerStatus leader = seen.stream().filter(ServerStatus::isLeader).findFirst().orElseThrow();
        assertThat(leader.leader()).isEqualTo(N1);
        assertThat(leader.term()).isPositive();
        assertThat(seen).last().satisfies(last -> assertThat(last.role()).isEqualTo(Role.LEADER));
    }

    @Test
    void closeIsIdempotentAndFailsWhatIsPendingWithWhetherItMayHaveApplied() throws Exception {
        // A leader whose followers never answer: its entries stay uncommitted.
        RaftServer leader = RaftServer.builder().id(N1).members(N1, N2, N3).config(FAST)
                .stateMachine(new RecordingStateMachine()).logStorage(InMemoryLogStorage.autoSync())
                .transport(network.transport(N1)).build();
        servers.add(leader);
        RaftServer follower2 = RaftServer.builder().id(N2).members(N1, N2, N3).config(FAST)
                .stateMachine(new RecordingStateMachine()).logStorage(InMemoryLogStorage.autoSync())
                .transport(network.transport(N2)).build();
        servers.add(follower2);
        follower2.start();
        leader.start();
        Await.until("a leader", () -> leader.status().isLeader() || follower2.status().isLeader());
        RaftServer l = leader.status().isLeader() ? leader : follower2;
        RaftServer other = l == leader ? follower2 : leader;
        network.isolate(l.id());
        CompletableFuture<byte[]> pending = l.submit(new byte[]{1});
        Await.until("the command to reach the log", () -> l.status().lastLogIndex() >= 2);
        other.close();
        l.close();
        l.close();
        assertThat(l.isClosed()).isTrue();
        assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IndeterminateOutcomeException.class);
        assertThatThrownBy(() -> l.submit(new byte[]{2}).join()).hasCauseInstanceOf(ServerStoppedException.class);
        assertThatThrownBy(() -> l.read(new byte[0]).join()).hasCauseInstanceOf(ServerStoppedException.class);
        assertThat(l.failure()).isEmpty();
    }

    @Test
    void aStorageFailureStopsTheServerAndIsReported() throws Exception {
        InMemoryLogStorage storage = InMemoryLogStorage.autoSync();
        RaftServer s = single(FAST, new RecordingStateMachine(), storage);
        s.start();
        awaitLeader(s);
        s.submit(new byte[]{1}).get(5, TimeUnit.SECONDS);
        InMemoryLogStorage failing = storage;
        failing.failNextSync();
        CompletableFuture<byte[]> f = s.submit(new byte[]{2});
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.ExecutionException.class);
        Await.until("the server to stop", s::isClosed);
        assertThat(s.failure()).get().isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> s.submit(new byte[]{3}).join()).hasCauseInstanceOf(ServerStoppedException.class)
                .cause().hasRootCauseInstanceOf(StorageException.class);
    }

    @Test
    void aStateMachineThatThrowsStopsTheServer() throws Exception {
        StateMachine broken = new StateMachine() {
            @Override
            public byte[] apply(long index, byte[] command) {
                if (command[0] == 9) {
                    throw new IllegalStateException("boom");
                }
                return new byte[0];
            }

            @Override
            public byte[] query(byte[] query) {
                throw new IllegalArgumentException("bad query");
            }
        };
        RaftServer s = single(FAST, broken, InMemoryLogStorage.autoSync());
        s.start();
        awaitLeader(s);
        s.submit(new byte[]{1}).get(5, TimeUnit.SECONDS);
        // A failing query fails only that read.
        assertThatThrownBy(() -> s.read(new byte[0]).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(s.isClosed()).isFalse();
        s.submit(new byte[]{9});
        Await.until("the server to stop", s::isClosed);
        assertThat(s.failure()).get().satisfies(t -> assertThat(t).hasRootCauseMessage("boom"));
    }

    @Test
    void tooManyPendingProposalsFailFastAsBusy() {
        InMemoryLogStorage storage = InMemoryLogStorage.manualSync();
        RaftServer s = single(FAST.toBuilder().maxPendingProposals(10).build(), new RecordingStateMachine(), storage);
        s.start();
        Await.until("the server to lead", () -> {
            storage.syncAll();
            return s.status().isLeader();
        });
        // Nothing becomes durable, so nothing commits: proposals pile up.
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(s.submit(new byte[]{(byte) i}));
        }
        long busy = futures.stream().filter(f -> f.isCompletedExceptionally()
                && f.handle((r, e) -> e instanceof ServerBusyException).join()).count();
        assertThat(busy).isGreaterThanOrEqualTo(40);
        storage.syncAll();
    }

    @Test
    void startTwiceIsRefused() {
        RaftServer s = single(FAST, new RecordingStateMachine(), InMemoryLogStorage.autoSync());
        s.start();
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
    }

    @Test
    void underConcurrentSubmitsNoStatusShowsMoreAppliedThanCommittedAndACompletedSubmitIsShownApplied()
            throws Exception {
        RaftServer s = single(FAST, new RecordingStateMachine(), InMemoryLogStorage.autoSync());
        s.start();
        awaitLeader(s);
        AtomicBoolean done = new AtomicBoolean();
        List<String> violations = new CopyOnWriteArrayList<>();
        // Its own threads: the common pool may have a single one on a 2-core machine.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
            long previous = 0;
            long checks = 0;
            while (!done.get()) {
                ServerStatus st = s.status();
                if (st.appliedIndex() > st.commitIndex() || st.appliedIndex() < previous) {
                    violations.add(st + " after applied " + previous);
                }
                previous = st.appliedIndex();
                checks++;
            }
            return checks;
        }, pool);
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 300; i++) {
                    Committed<byte[]> c;
                    try {
                        c = s.submitCommitted(new byte[]{(byte) i}).get(1, TimeUnit.MINUTES);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    ServerStatus st = s.status();
                    if (st.appliedIndex() < c.index()) {
                        violations.add("entry " + c.index() + " completed but the status shows " + st);
                    }
                }
            }, pool));
        }
        try {
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            done.set(true);
            assertThat(reader.get(1, TimeUnit.MINUTES)).isPositive();
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertThat(violations).isEmpty();
    }
}
