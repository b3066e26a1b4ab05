package dev.keel.raft.internal.runtime;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.Role;
import dev.keel.raft.internal.engine.RaftEngine;
import dev.keel.raft.internal.engine.Ready;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.log.ListLogStorage;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.VoteResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A real {@link RaftEngine} over an in-memory log, driven by hand: the runtime parts' tests need an engine in a given
 * role (leader of one, leader of three, follower knowing a leader) without threads, sockets or files.
 */
final class EngineFixture {
    static final NodeId N1 = NodeId.of("n1");
    static final NodeId N2 = NodeId.of("n2");
    static final NodeId N3 = NodeId.of("n3");
    static final Membership ONE = Membership.ofVoters(List.of(Member.of(N1)));
    static final Membership THREE = Membership.ofVoters(List.of(Member.of(N1), Member.of(N2), Member.of(N3)));

    final MemoryStorage storage;
    final RaftEngine engine;
    /** Everything the engine sent, and the loads it asked for, since the fixture was built. */
    final List<RaftMessage> sent = new ArrayList<>();
    final List<EntryLoad> loads = new ArrayList<>();

    private EngineFixture(Membership membership, RaftConfig config, MemoryStorage storage) {
        this.storage = storage;
        this.engine = new RaftEngine(N1, membership, config, storage, null, new SplittableRandom(1));
    }

    /** n1 in {@code membership}, as it starts: nothing ticked, no Ready handed out. */
    static EngineFixture starting(Membership membership, RaftConfig config) {
        return new EngineFixture(membership, config, new MemoryStorage());
    }

    static RaftConfig config(boolean forwarding) {
        return RaftConfig.builder().preVote(false).forwarding(forwarding).build();
    }

    /** n1 leads a cluster of one, its no-op entry committed and applied (every Ready carried out). */
    static EngineFixture leaderOfOne() {
        return leaderOfOne(config(true));
    }

    /** As {@link #leaderOfOne()}, with {@code config}. */
    static EngineFixture leaderOfOne(RaftConfig config) {
        EngineFixture f = new EngineFixture(ONE, config, new MemoryStorage());
        f.tickUntil(Role.LEADER);
        return f;
    }

    /** n1 leads n1, n2, n3 in term 2 over {@code storage}: n2 voted for it. */
    static EngineFixture leaderOfThree(MemoryStorage storage) {
        EngineFixture f = new EngineFixture(THREE, config(true), storage);
        f.tickUntil(Role.CANDIDATE);
        f.engine.step(new VoteResponse(N2, N1, f.engine.term(), true, false));
        f.drain();
        if (f.engine.role() != Role.LEADER) {
            throw new IllegalStateException("n1 did not become leader: " + f.engine);
        }
        return f;
    }

    /** n1 follows n2 in term 1 (it heard n2's heartbeat). */
    static EngineFixture followerOfN2(boolean forwarding) {
        EngineFixture f = new EngineFixture(THREE, config(forwarding), new MemoryStorage());
        f.engine.step(new Heartbeat(N2, N1, 1, 0, 0));
        f.drain();
        return f;
    }

    /** n1 in a cluster of three that has heard from no one: no leader known. */
    static EngineFixture followerWithoutLeader(boolean forwarding) {
        return new EngineFixture(THREE, config(forwarding), new MemoryStorage());
    }

    /** Ticks (bounded by a few election timeouts) until the engine reaches {@code role}, carrying out its Readies. */
    void tickUntil(Role role) {
        for (int i = 0; i < 20 * engine.electionTimeoutTicks() && engine.role() != role; i++) {
            engine.tick();
            drain();
        }
        if (engine.role() != role) {
            throw new IllegalStateException("n1 did not become " + role + ": " + engine);
        }
    }

    /** Carries out every Ready as a runtime would, every write durable at once; returns them. */
    List<Ready> drain() {
        List<Ready> out = new ArrayList<>();
        while (engine.hasReady()) {
            Ready rd = engine.ready();
            out.add(rd);
            ReadyLogWrite.issue(storage, rd);
            if (!rd.entries().isEmpty()) {
                LogEntry last = rd.entries().get(rd.entries().size() - 1);
                engine.persisted(last.index(), last.term());
            }
            sent.addAll(rd.messages());
            sent.addAll(rd.persistBoundMessages());
            loads.addAll(rd.loads());
        }
        return out;
    }

    /**
     * An in-memory log: every write durable when it returns. Entries below {@link #diskBelow} count as held on disk
     * only ({@link #isCached} says no), and {@link #entriesAsync} is whatever the test makes it.
     */
    static final class MemoryStorage extends ListLogStorage {
        long diskBelow;
        Function<long[], CompletableFuture<List<LogEntry>>> async;
        final List<String> asyncCalls = new ArrayList<>();

        /** A storage holding {@code count} commands of term 1 from index 1, the first {@code onDisk} not cached. */
        static MemoryStorage holding(int count, long onDisk) {
            MemoryStorage s = new MemoryStorage();
            List<LogEntry> entries = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                entries.add(LogEntry.command(i, 1, new byte[]{(byte) i}));
            }
            s.append(entries);
            s.saveHardState(new HardState(1, null));
            s.diskBelow = onDisk + 1;
            return s;
        }

        @Override
        public boolean isCached(long fromIndex, long toIndex) {
            return fromIndex >= diskBelow;
        }

        @Override
        public CompletableFuture<List<LogEntry>> entriesAsync(long fromIndex, long toIndex, long maxBytes) {
            asyncCalls.add("[" + fromIndex + ", " + toIndex + ")");
            return async == null ? super.entriesAsync(fromIndex, toIndex, maxBytes)
                    : async.apply(new long[]{fromIndex, toIndex, maxBytes});
        }
    }
}
