package dev.keel.raft.internal.engine;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.internal.runtime.ReadyExecutor;
import dev.keel.raft.internal.runtime.ReadyLogWrite;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.testing.InMemoryLogStorage;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Engines wired by hand for paper-style tests: each has auto-synced in-memory storage; {@link #drain} carries out
 * an engine's Ready like the runtime would and returns the messages it sent.
 */
final class EngineHarness {
    static final NodeId N1 = NodeId.of("n1");
    static final NodeId N2 = NodeId.of("n2");
    static final NodeId N3 = NodeId.of("n3");
    static final NodeId N4 = NodeId.of("n4");
    static final NodeId N5 = NodeId.of("n5");
    static final List<NodeId> FIVE = List.of(N1, N2, N3, N4, N5);

    /** Heartbeat every tick, election timeout in [10, 20) ticks. */
    static final RaftConfig CONFIG = RaftConfig.builder()
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(10))
            .electionTimeout(Duration.ofMillis(100), Duration.ofMillis(200))
            .build();
    static final RaftConfig NO_PREVOTE = CONFIG.toBuilder().preVote(false).checkQuorum(false).build();

    final Map<NodeId, RaftEngine> engines = new LinkedHashMap<>();
    final Map<NodeId, InMemoryLogStorage> storages = new LinkedHashMap<>();
    final List<LogEntry> applied = new ArrayList<>();
    final Map<NodeId, List<LogEntry>> appliedBy = new LinkedHashMap<>();
    final List<ReadState> readStates = new ArrayList<>();
    final List<Long> failedReads = new ArrayList<>();
    final List<SnapshotTask> snapshotTasks = new ArrayList<>();
    final List<AdminResult> adminResults = new ArrayList<>();
    /** Every load the engines asked for, in order; the test answers them. */
    final List<EntryLoad> loads = new ArrayList<>();
    private final Map<NodeId, ReadyExecutor> executors = new LinkedHashMap<>();
    private List<RaftMessage> outbox = new ArrayList<>();
    /** Messages are dropped when this says so. */
    Predicate<RaftMessage> drop = m -> false;

    static List<NodeId> ids(int n) {
        return FIVE.subList(0, n);
    }

    static dev.keel.raft.Membership membership(List<NodeId> voters) {
        return dev.keel.raft.Membership.ofVoters(voters.stream().map(dev.keel.raft.Member::of).toList());
    }

    static byte[] data(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A storage holding entries with the given terms at indexes 1, 2, ... and the given current term. */
    static InMemoryLogStorage storage(long currentTerm, long... terms) {
        InMemoryLogStorage s = InMemoryLogStorage.autoSync();
        if (terms.length > 0) {
            List<LogEntry> entries = new ArrayList<>();
            for (int i = 0; i < terms.length; i++) {
                entries.add(LogEntry.command(i + 1, terms[i], data("e" + (i + 1) + "@" + terms[i])));
            }
            s.append(entries);
        }
        s.saveHardState(new HardState(currentTerm, null));
        return s;
    }

    RaftEngine add(NodeId id, List<NodeId> voters, RaftConfig config, InMemoryLogStorage storage, long seed) {
        RaftEngine e = new RaftEngine(id, membership(voters), config, storage, null, new SplittableRandom(seed));
        engines.put(id, e);
        storages.put(id, storage);
        return e;
    }

    /** A cluster of {@code n} fresh engines. */
    static EngineHarness cluster(int n, RaftConfig config) {
        EngineHarness h = new EngineHarness();
        for (NodeId id : ids(n)) {
            h.add(id, ids(n), config, storage(0), id.hashCode());
        }
        return h;
    }

    RaftEngine get(NodeId id) {
        return engines.get(id);
    }

    /** Carries out every Ready of {@code id} as the runtime does and returns the messages it sent, in order. */
    List<RaftMessage> drain(NodeId id) {
        RaftEngine e = engines.get(id);
        outbox = new ArrayList<>();
        ReadyExecutor executor = executors.computeIfAbsent(id, k -> new ReadyExecutor(storages.get(id),
                new Effects(id, e), Runnable::run));
        while (e.hasReady()) {
            executor.execute(e.ready());
        }
        return outbox;
    }

    /** Collects what a Ready hands out; the storage is auto-synced, so writes complete as they are issued. */
    private final class Effects implements ReadyExecutor.Effects {
        private final NodeId id;
        private final RaftEngine engine;

        Effects(NodeId id, RaftEngine engine) {
            this.id = id;
            this.engine = engine;
        }

        @Override
        public void send(RaftMessage message) {
            outbox.add(message);
        }

        @Override
        public void persisted(long index, long term) {
            engine.persisted(index, term);
        }

        @Override
        public void committed(List<LogEntry> entries) {
            applied.addAll(entries);
            appliedBy.computeIfAbsent(id, k -> new ArrayList<>()).addAll(entries);
        }

        @Override
        public void loads(List<EntryLoad> asked) {
            loads.addAll(asked);
        }

        @Override
        public void snapshotWork(SnapshotWork work) {
            snapshotTasks.addAll(work.tasks());
        }

        @Override
        public void reads(List<ReadState> states, List<Long> failed) {
            readStates.addAll(states);
            failedReads.addAll(failed);
        }

        @Override
        public void adminResults(List<AdminResult> results) {
            adminResults.addAll(results);
        }
    }

    /** Carries out a Ready on auto-synced storage {@code s} through the runtime's {@link ReadyExecutor}. */
    static ReadyExecutor executor(InMemoryLogStorage s, RaftEngine e, java.util.function.Consumer<RaftMessage> send) {
        return new ReadyExecutor(s, new ReadyExecutor.Effects() {
            @Override
            public void send(RaftMessage message) {
                send.accept(message);
            }

            @Override
            public void persisted(long index, long term) {
                e.persisted(index, term);
            }
        }, Runnable::run);
    }

    /** Writes a Ready's hard state and entries to storage in the order the engine requires, as the runtime does. */
    static void persist(InMemoryLogStorage s, Ready rd) {
        ReadyLogWrite.issue(s, rd);
    }

    /** Delivers messages until no engine has anything left to say; returns every message delivered. */
    List<RaftMessage> deliverAll() {
        List<RaftMessage> delivered = new ArrayList<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (NodeId id : List.copyOf(engines.keySet())) {
                for (RaftMessage m : drain(id)) {
                    progress = true;
                    if (drop.test(m) || !engines.containsKey(m.to())) {
                        continue;
                    }
                    delivered.add(m);
                    engines.get(m.to()).step(m);
                }
            }
        }
        return delivered;
    }

    /** Ticks {@code id} until it starts campaigning, then delivers everything. */
    void campaign(NodeId id) {
        RaftEngine e = engines.get(id);
        int guard = 0;
        while (e.role() == dev.keel.raft.Role.FOLLOWER) {
            e.tick();
            if (++guard > 1000) {
                throw new AssertionError(id + " never campaigned");
            }
        }
        deliverAll();
    }

    /** Ticks every engine once and delivers everything. */
    void tickAll() {
        engines.values().forEach(RaftEngine::tick);
        deliverAll();
    }

    /** The terms of the entries of {@code id}'s storage, in order. */
    List<Long> terms(NodeId id) {
        InMemoryLogStorage s = storages.get(id);
        List<Long> terms = new ArrayList<>();
        for (long i = s.firstIndex(); i <= s.lastIndex(); i++) {
            terms.add(s.termAt(i));
        }
        return terms;
    }

    /** Entries of {@code id}'s storage. */
    List<LogEntry> log(NodeId id) {
        InMemoryLogStorage s = storages.get(id);
        return s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE);
    }

    /** The chunk reads among {@link #snapshotTasks}, in order. */
    List<SnapshotTask.ChunkRead> chunkReads() {
        return snapshotTasks.stream().filter(SnapshotTask.ChunkRead.class::isInstance)
                .map(SnapshotTask.ChunkRead.class::cast).toList();
    }

    static <T extends RaftMessage> List<T> ofType(List<RaftMessage> messages, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (RaftMessage m : messages) {
            if (type.isInstance(m)) {
                out.add(type.cast(m));
            }
        }
        return out;
    }
}
