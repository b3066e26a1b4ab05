package dev.keel.raft.internal.engine.bench;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.Role;
import dev.keel.raft.internal.engine.ProposeResult;
import dev.keel.raft.internal.engine.RaftEngine;
import dev.keel.raft.internal.engine.Ready;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.testing.InMemoryLogStorage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The consensus engine alone, with no I/O and no threads: a 3-server cluster of {@link RaftEngine}s wired in memory,
 * each Ready carried out at once (storage is in memory and durable on the spot). Measures proposals committed on the
 * leader per second, in batches of {@code batch} proposals per round of message exchange, to show how far the
 * engine is from the I/O-bound figures of a real cluster.
 *
 * <p>Run: {@code mvn -Pbench -pl raft-testkit -am -DskipTests verify -Djmh.args="EngineBenchmark"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EngineBenchmark {
    private static final int OPS = 1024;

    @Param({"1", "64"})
    public int batch;

    private final Map<NodeId, RaftEngine> engines = new LinkedHashMap<>();
    private final Map<NodeId, InMemoryLogStorage> storages = new LinkedHashMap<>();
    private final ArrayDeque<RaftMessage> network = new ArrayDeque<>();
    private RaftEngine leader;
    private final byte[] payload = new byte[128];

    @Setup(Level.Trial)
    public void setUp() {
        List<NodeId> ids = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
        RaftConfig config = RaftConfig.builder()
                .tickInterval(Duration.ofMillis(10))
                .heartbeatInterval(Duration.ofMillis(10))
                .electionTimeout(Duration.ofMillis(100), Duration.ofMillis(200))
                .maxUncommittedEntries(1_000_000)
                .snapshotInterval(Long.MAX_VALUE)
                .build();
        Membership m = Membership.ofVoters(ids.stream().map(Member::of).toList());
        for (NodeId id : ids) {
            InMemoryLogStorage s = InMemoryLogStorage.autoSync();
            storages.put(id, s);
            engines.put(id, new RaftEngine(id, m, config, s, null, new SplittableRandom(id.hashCode())));
        }
        RaftEngine first = engines.get(ids.get(0));
        while (first.role() != Role.LEADER) {
            first.tick();
            exchange();
        }
        leader = first;
    }

    /** Carries out every Ready and delivers every message until the cluster is quiet. */
    private void exchange() {
        boolean busy = true;
        while (busy) {
            busy = false;
            for (Map.Entry<NodeId, RaftEngine> e : engines.entrySet()) {
                RaftEngine engine = e.getValue();
                while (engine.hasReady()) {
                    busy = true;
                    carryOut(engine, storages.get(e.getKey()), engine.ready());
                }
            }
            RaftMessage msg;
            while ((msg = network.poll()) != null) {
                busy = true;
                engines.get(msg.to()).step(msg);
            }
        }
    }

    private void carryOut(RaftEngine engine, InMemoryLogStorage s, Ready rd) {
        if (rd.hardState() != null) {
            s.saveHardState(rd.hardState());
        }
        if (rd.logReset()) {
            s.reset(rd.firstIndex());
        } else if (s.lastIndex() >= rd.firstIndex()) {
            s.truncateSuffix(rd.firstIndex());
        }
        if (!rd.entries().isEmpty()) {
            s.append(rd.entries());
        }
        network.addAll(rd.messages());
        network.addAll(rd.persistBoundMessages());
        if (!rd.entries().isEmpty()) {
            LogEntry last = rd.entries().get(rd.entries().size() - 1);
            engine.persisted(last.index(), last.term());
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public long proposeAndCommit() {
        long committed = 0;
        for (int done = 0; done < OPS; done += batch) {
            for (int i = 0; i < batch; i++) {
                if (leader.propose(payload).outcome() != ProposeResult.Outcome.APPENDED) {
                    throw new IllegalStateException("proposal refused");
                }
            }
            exchange();
            committed = leader.log().commitIndex();
        }
        // The in-memory log only grows: trim it so that a long run measures the engine, not the heap.
        for (Map.Entry<NodeId, InMemoryLogStorage> e : storages.entrySet()) {
            e.getValue().purgePrefix(engines.get(e.getKey()).log().commitIndex() - 1);
        }
        return committed;
    }
}
