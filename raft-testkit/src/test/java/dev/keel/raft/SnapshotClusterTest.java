package dev.keel.raft;

import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.SnapshotWriter;
import dev.keel.raft.spi.Transport;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.InMemorySnapshotStorage;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Snapshots, compaction and InstallSnapshot with real servers on real threads. */
class SnapshotClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            // Patient enough that a loaded 2-core machine does not make a healthy leader look dead.
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            .snapshotInterval(200)
            .logRetention(20)
            .snapshotChunkBytes(1024)
            .snapshotInflightChunks(2)
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftServer> servers = new HashMap<>();
    private final Map<NodeId, RecordingStateMachine> machines = new HashMap<>();
    private final Map<NodeId, InMemoryLogStorage> logs = new HashMap<>();
    private final Map<NodeId, InMemorySnapshotStorage> snapshots = new HashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private void start(NodeId id, InMemoryLogStorage log, InMemorySnapshotStorage snaps) {
        RecordingStateMachine sm = new RecordingStateMachine();
        RaftServer s = RaftServer.builder().id(id).members(IDS).config(CONFIG).stateMachine(sm).logStorage(log)
                .snapshotStorage(snaps).transport(network.transport(id)).build();
        servers.put(id, s);
        machines.put(id, sm);
        logs.put(id, log);
        snapshots.put(id, snaps);
        s.start();
    }

    private RaftServer leader() {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader", WAIT, () -> servers.values().stream().filter(s -> !s.isClosed())
                .filter(s -> s.status().isLeader()).findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }

    private static void submit(RaftServer leader, int from, int to) throws Exception {
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int i = from; i < to; i++) {
            futures.add(leader.submit(("c" + i).getBytes(StandardCharsets.UTF_8)));
            if (futures.size() >= 100) {
                CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                futures.clear();
            }
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    private static List<String> strings(RecordingStateMachine sm) {
        return sm.applied().stream().map(b -> new String(b, StandardCharsets.UTF_8)).collect(Collectors.toList());
    }

    @Test
    void aFollowerLeftBehindCatchesUpByInstallSnapshotAndEveryLogIsCompacted() throws Exception {
        for (NodeId id : IDS) {
            start(id, InMemoryLogStorage.autoSync(), new InMemorySnapshotStorage());
        }
        RaftServer leader = leader();
        NodeId behind = IDS.stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
        network.isolate(behind);
        submit(leader, 0, 2000);
        Await.until("the leader to compact its log", WAIT, () -> logs.get(leader.id()).firstIndex() > 1000);
        assertThat(leader.status().snapshotIndex()).isGreaterThanOrEqualTo(1000);

        network.heal();
        Await.until(behind + " to catch up", WAIT, () -> machines.get(behind).size() == 2000);
        assertThat(machines.get(behind).restores()).as("restored from an installed snapshot").isPositive();
        assertThat(strings(machines.get(behind))).isEqualTo(strings(machines.get(leader.id())));
        submit(leader, 2000, 2100);
        Await.until("every replica to apply everything", WAIT,
                () -> machines.values().stream().allMatch(m -> m.size() == 2100));
        for (NodeId id : IDS) {
            assertThat(strings(machines.get(id))).isEqualTo(strings(machines.get(leader.id())));
            Await.until(id + "'s log to be compacted", WAIT, () -> logs.get(id).firstIndex() > 1000);
            // status() reports the compaction with the snapshot that caused it, never the snapshot alone.
            ServerStatus st = servers.get(id).status();
            assertThat(st.firstLogIndex()).as("%s's first log index", id).isGreaterThan(1000)
                    .isLessThanOrEqualTo(st.lastLogIndex() + 1);
            assertThat(st.firstLogIndex()).as("%s's first log index against its snapshot", id)
                    .isGreaterThanOrEqualTo(st.snapshotIndex() - CONFIG.logRetention());
        }
    }

    @Test
    void aRestartedServerRestoresItsSnapshotAndReplaysOnlyTheRest() throws Exception {
        for (NodeId id : IDS) {
            start(id, InMemoryLogStorage.autoSync(), new InMemorySnapshotStorage());
        }
        RaftServer leader = leader();
        submit(leader, 0, 700);
        NodeId follower = IDS.stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
        Await.until(follower + " to apply everything and snapshot", WAIT,
                () -> machines.get(follower).size() == 700 && servers.get(follower).status().snapshotIndex() > 0);
        servers.get(follower).close();
        InMemoryLogStorage survivingLog = logs.get(follower).crash();
        InMemorySnapshotStorage survivingSnapshots = snapshots.get(follower).reopen();
        start(follower, survivingLog, survivingSnapshots);
        RecordingStateMachine restarted = machines.get(follower);
        Await.until("the restarted server to catch up", WAIT, () -> restarted.size() == 700);
        assertThat(restarted.restores()).isEqualTo(1);
        assertThat(strings(restarted)).isEqualTo(strings(machines.get(leader.id())));
    }

    @Test
    void aFollowerWithASlowDiskHoldsAtMostAWindowOfChunksWaitingToBeWritten() throws Exception {
        NodeId behind = IDS.get(2);
        for (NodeId id : IDS.subList(0, 2)) {
            start(id, InMemoryLogStorage.autoSync(), new InMemorySnapshotStorage());
        }
        RaftServer leader = leader();
        submit(leader, 0, 2000);
        Await.until("the leader to compact its log", WAIT, () -> logs.get(leader.id()).firstIndex() > 1000);

        // Chunks that reached the follower, by offset, and the bytes its disk has taken so far (20 ms per write).
        Set<Long> arrived = ConcurrentHashMap.newKeySet();
        AtomicLong written = new AtomicLong();
        AtomicLong mostWaiting = new AtomicLong();
        Transport inner = network.transport(behind);
        Transport counting = new Transport() {
            @Override
            public void start(InboundHandler handler) {
                inner.start(new InboundHandler() {
                    @Override
                    public void onMessage(RaftMessage message) {
                        if (message instanceof InstallSnapshotRequest chunk) {
                            arrived.add(chunk.offset());
                            long done = written.get();
                            mostWaiting.accumulateAndGet(arrived.stream().filter(o -> o >= done).count(), Math::max);
                        }
                        handler.onMessage(message);
                    }

                    @Override
                    public void onPeerUnreachable(NodeId peer) {
                        handler.onPeerUnreachable(peer);
                    }
                });
            }

            @Override
            public void send(RaftMessage message) {
                inner.send(message);
            }

            @Override
            public void close() {
                inner.close();
            }
        };
        RecordingStateMachine sm = new RecordingStateMachine();
        // Takes no snapshot of its own, so that every byte its disk takes belongs to the installed one.
        RaftConfig noOwnSnapshots = CONFIG.toBuilder().snapshotInterval(Long.MAX_VALUE).build();
        RaftServer slow = RaftServer.builder().id(behind).members(IDS).config(noOwnSnapshots).stateMachine(sm)
                .logStorage(InMemoryLogStorage.autoSync()).snapshotStorage(new SlowDisk(written))
                .transport(counting).build();
        servers.put(behind, slow);
        slow.start();

        Await.until(behind + " to catch up", WAIT, () -> sm.size() == 2000);
        assertThat(sm.restores()).as("restored from an installed snapshot").isPositive();
        assertThat(arrived).as("chunks received").hasSizeGreaterThan(3 * CONFIG.snapshotInflightChunks());
        // Acknowledged once written: the leader's window bounds what waits for the disk, however slow it is.
        assertThat(mostWaiting.get()).as("chunks waiting for the disk at once")
                .isLessThanOrEqualTo(CONFIG.snapshotInflightChunks());
    }

    /** In-memory snapshots whose writes take 20 ms each and are counted in bytes. */
    private static final class SlowDisk implements SnapshotStorage {
        private final InMemorySnapshotStorage inner = new InMemorySnapshotStorage();
        private final AtomicLong written;

        SlowDisk(AtomicLong written) {
            this.written = written;
        }

        @Override
        public Optional<SnapshotMetadata> latest() {
            return inner.latest();
        }

        @Override
        public SnapshotWriter create(long index, long term, Membership membership, long membershipIndex)
                throws IOException {
            SnapshotWriter w = inner.create(index, term, membership, membershipIndex);
            OutputStream slow = new FilterOutputStream(w.stream()) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException();
                    }
                    out.write(b, off, len);
                    written.addAndGet(len);
                }
            };
            return new SnapshotWriter() {
                @Override
                public OutputStream stream() {
                    return slow;
                }

                @Override
                public SnapshotMetadata commit() throws IOException {
                    return w.commit();
                }

                @Override
                public SnapshotMetadata commitVerified(SnapshotMetadata expected) throws IOException {
                    return w.commitVerified(expected);
                }

                @Override
                public void abort() {
                    w.abort();
                }
            };
        }

        @Override
        public InputStream open(SnapshotMetadata snapshot, long offset) throws IOException {
            return inner.open(snapshot, offset);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    @Test
    void aManualSnapshotCompletesWithItsIndex() throws Exception {
        for (NodeId id : IDS) {
            start(id, InMemoryLogStorage.autoSync(), new InMemorySnapshotStorage());
        }
        RaftServer leader = leader();
        submit(leader, 0, 50);
        SnapshotMetadata meta = leader.snapshot().get(10, TimeUnit.SECONDS);
        assertThat(meta.index()).isGreaterThanOrEqualTo(50);
        assertThat(meta.membership().voterIds()).containsExactlyInAnyOrderElementsOf(IDS);
        assertThat(snapshots.get(leader.id()).latest()).contains(meta);
        Await.until("the status to show the snapshot", WAIT, () -> leader.status().snapshotIndex() == meta.index());
    }
}
