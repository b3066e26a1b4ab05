package dev.keel.raft;

import dev.keel.raft.statemachine.ApplyContext;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.statemachine.StateSnapshot;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.InMemorySnapshotStorage;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Log time: the leader stamps its clock into each command it appends, every replica applies the command with that
 * stamp, and log time never goes back, not even when a leader whose clock is behind takes over.
 */
class LogTimeTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long T0 = 1_800_000_000_000L;
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            // Patient enough that a loaded 2-core machine does not make a healthy leader look dead.
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftServer> servers = new HashMap<>();
    private final Map<NodeId, TimeRecorder> machines = new HashMap<>();
    private final Map<NodeId, SettableClock> clocks = new HashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    /** A wall clock the test sets; thread-safe. */
    static final class SettableClock extends Clock {
        final AtomicLong millis = new AtomicLong();

        SettableClock(long start) {
            millis.set(start);
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** Records the log time of every command it applies; snapshots carry the records. Thread-safe. */
    static final class TimeRecorder implements StateMachine {
        private final List<long[]> applied = new ArrayList<>();

        @Override
        public synchronized byte[] apply(ApplyContext context, byte[] command) {
            applied.add(new long[]{context.index(), context.logTimeMillis()});
            return ByteBuffer.allocate(8).putLong(context.logTimeMillis()).array();
        }

        @Override
        public byte[] query(byte[] query) {
            return new byte[0];
        }

        @Override
        public synchronized StateSnapshot takeSnapshot() {
            int count = applied.size();
            return out -> new java.io.DataOutputStream(out).writeInt(count);
        }

        @Override
        public synchronized void restoreSnapshot(InputStream in) throws IOException {
            new DataInputStream(in).readInt();
            applied.clear();
        }

        synchronized Map<Long, Long> times() {
            Map<Long, Long> out = new HashMap<>();
            applied.forEach(a -> out.put(a[0], a[1]));
            return out;
        }
    }

    private RaftServer start(NodeId id, long clockMillis, InMemorySnapshotStorage snapshots) {
        SettableClock clock = new SettableClock(clockMillis);
        TimeRecorder sm = new TimeRecorder();
        RaftServer.Builder b = RaftServer.builder()
                .id(id)
                .members(IDS)
                .config(CONFIG)
                .stateMachine(sm)
                .logStorage(InMemoryLogStorage.autoSync())
                .transport(network.transport(id))
                .clock(clock);
        if (snapshots != null) {
            b.snapshotStorage(snapshots);
        }
        RaftServer server = b.build();
        servers.put(id, server);
        machines.put(id, sm);
        clocks.put(id, clock);
        server.start();
        return server;
    }

    private RaftServer leader() {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader", WAIT, () -> servers.values().stream().filter(s -> !s.isClosed()
                && s.status().isLeader()).findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }

    private static long submit(RaftServer server) throws Exception {
        return ByteBuffer.wrap(server.submit(new byte[]{1}).get(20, TimeUnit.SECONDS)).getLong();
    }

    /** Through a session, so that a leader change under load retries the command rather than losing track of it. */
    private static long submit(ClientSession session) throws Exception {
        return ByteBuffer.wrap(session.submit(new byte[]{1}).get(40, TimeUnit.SECONDS)).getLong();
    }

    @Test
    void everyReplicaAppliesACommandWithTheLogTimeItsLeaderStamped() throws Exception {
        start(IDS.get(0), T0, null);
        start(IDS.get(1), T0 + 5_000, null);
        start(IDS.get(2), T0 - 5_000, null);
        RaftServer leader = leader();
        long term = leader.status().term();
        long leaderClock = clocks.get(leader.id()).millis();
        ClientSession session = leader.openSession().get(40, TimeUnit.SECONDS);

        long first = submit(session);
        clocks.get(leader.id()).millis.addAndGet(1234);
        long second = submit(session);

        if (leader.status().isLeader() && leader.status().term() == term) {
            // One leader throughout: it stamped both, with its clock as it was.
            assertThat(first).isEqualTo(leaderClock);
            assertThat(second).isEqualTo(leaderClock + 1234);
        } else {
            // Leadership moved (a loaded machine): each was stamped by some leader's clock, and time went forward.
            assertThat(List.of(first, second)).allMatch(t -> t >= T0 - 5_000 && t <= T0 + 5_000 + 1234);
            assertThat(second).isGreaterThanOrEqualTo(first);
        }
        long last = servers.values().stream().mapToLong(s -> s.status().commitIndex()).max().orElseThrow();
        Await.until("every replica applied " + last, WAIT,
                () -> servers.values().stream().allMatch(s -> s.status().appliedIndex() >= last));
        Map<Long, Long> leaderTimes = machines.get(leader.id()).times();
        assertThat(leaderTimes).hasSize(2).containsValues(first, second);
        for (NodeId id : IDS) {
            assertThat(machines.get(id).times()).as("log times applied on %s", id).isEqualTo(leaderTimes);
        }
    }

    @Test
    void logTimeDoesNotGoBackWhenTheNewLeadersClockIsBehind() throws Exception {
        for (NodeId id : IDS) {
            start(id, T0, null);
        }
        RaftServer first = leader();
        clocks.get(first.id()).millis.set(T0 + 60_000);
        ClientSession session = first.openSession().get(40, TimeUnit.SECONDS);
        assertThat(submit(session)).isEqualTo(T0 + 60_000);

        NodeId next = IDS.stream().filter(id -> !id.equals(first.id())).findFirst().orElseThrow();
        RaftServer second = servers.get(next);
        // A transfer the target does not win in time (a loaded machine) is asked again.
        java.util.concurrent.CompletableFuture<?>[] transfer = {null};
        Await.until(next + " leads", WAIT, () -> {
            if (!second.status().isLeader() && (transfer[0] == null || transfer[0].isDone())) {
                servers.values().stream().filter(s -> s.status().isLeader()).findFirst()
                        .ifPresent(l -> transfer[0] = l.transferLeadership(next));
            }
            return second.status().isLeader();
        });
        // Its clock is a minute behind (so is every clock but the first leader's): log time stands still rather than
        // go back, whoever leads now...
        assertThat(submit(session)).isEqualTo(T0 + 60_000);
        // ... and moves on once the clocks pass the log time.
        clocks.values().forEach(c -> c.millis.set(T0 + 61_000));
        assertThat(submit(session)).isEqualTo(T0 + 61_000);
    }

    @Test
    void aReplicaRestoredFromASnapshotKeepsTheLogTimeItHadReached() throws Exception {
        InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
        RaftServer solo = RaftServer.builder()
                .id(IDS.get(0))
                .members(IDS.get(0))
                .config(CONFIG)
                .stateMachine(new TimeRecorder())
                .logStorage(InMemoryLogStorage.autoSync())
                .snapshotStorage(snapshots)
                .transport(network.transport(IDS.get(0)))
                .clock(new SettableClock(T0 + 90_000))
                .build();
        solo.start();
        Await.until("the single server leads", WAIT, () -> solo.status().isLeader());
        assertThat(submit(solo)).isEqualTo(T0 + 90_000);
        solo.snapshot().get(20, TimeUnit.SECONDS);
        solo.close();

        // Restarted from the snapshot with a clock a minute behind (and an empty log after the snapshot): the first
        // command still gets the log time the snapshot recorded.
        SettableClock behind = new SettableClock(T0 + 30_000);
        RaftServer restarted = RaftServer.builder()
                .id(IDS.get(0))
                .members(IDS.get(0))
                .config(CONFIG)
                .stateMachine(new TimeRecorder())
                .logStorage(emptyAfter(snapshots))
                .snapshotStorage(snapshots.reopen())
                .transport(new InMemoryNetwork().transport(IDS.get(0)))
                .clock(behind)
                .build();
        servers.put(IDS.get(0), restarted);
        restarted.start();
        Await.until("the restarted server leads", WAIT, () -> restarted.status().isLeader());
        assertThat(submit(restarted)).isEqualTo(T0 + 90_000);
    }

    /** A log that starts right after the newest snapshot, as if compaction had deleted everything before it. */
    private static InMemoryLogStorage emptyAfter(InMemorySnapshotStorage snapshots) {
        dev.keel.raft.log.SnapshotMetadata latest = snapshots.latest().orElseThrow();
        InMemoryLogStorage log = InMemoryLogStorage.autoSync();
        log.reset(latest.index() + 1).join();
        log.saveHardState(new dev.keel.raft.log.HardState(latest.term(), null)).join();
        return log;
    }

    @Test
    void aStateMachineWithOnlyTheIndexApplyStillRunsAndOneWithNeitherIsRefusedAtBuild() throws Exception {
        RecordingStateMachine legacy = new RecordingStateMachine();
        RaftServer server = RaftServer.builder()
                .id(IDS.get(0))
                .members(IDS.get(0))
                .config(CONFIG)
                .stateMachine(legacy)
                .logStorage(InMemoryLogStorage.autoSync())
                .transport(network.transport(IDS.get(0)))
                .build();
        servers.put(IDS.get(0), server);
        server.start();
        Await.until("the single server leads", WAIT, () -> server.status().isLeader());
        server.submit(new byte[]{7}).get(20, TimeUnit.SECONDS);
        assertThat(legacy.applied()).singleElement().isEqualTo(new byte[]{7});

        StateMachine neither = new StateMachine() {
            @Override
            public byte[] query(byte[] query) {
                return query;
            }
        };
        assertThatThrownBy(() -> RaftServer.builder()
                .id(IDS.get(1))
                .members(IDS.get(1))
                .stateMachine(neither)
                .logStorage(InMemoryLogStorage.autoSync())
                .transport(network.transport(IDS.get(1)))
                .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("must implement StateMachine.apply(ApplyContext, byte[])");
    }
}
