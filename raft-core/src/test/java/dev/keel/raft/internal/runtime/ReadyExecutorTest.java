package dev.keel.raft.internal.runtime;

import dev.keel.raft.Membership;
import dev.keel.raft.Member;
import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.internal.engine.ReadState;
import dev.keel.raft.internal.engine.Ready;
import dev.keel.raft.internal.engine.SnapshotWork;
import dev.keel.raft.internal.engine.SoftState;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.VoteResponse;
import dev.keel.raft.spi.LogStorage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class ReadyExecutorTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");

    private final FakeStorage storage = new FakeStorage();
    private final List<String> effects = new ArrayList<>();
    private final ReadyExecutor executor = new ReadyExecutor(storage, new Recorder(), Runnable::run);

    /** Records what the executor does, in order. */
    private final class Recorder implements ReadyExecutor.Effects {
        @Override
        public void send(RaftMessage m) {
            effects.add("send " + m.getClass().getSimpleName() + " term " + m.term());
        }

        @Override
        public void persisted(long index, long term) {
            effects.add("persisted " + index + "@" + term);
        }

        @Override
        public void writeFailed(Throwable error) {
            effects.add("write failed: " + error.getMessage());
        }

        @Override
        public void restore(SnapshotMetadata snapshot) {
            effects.add("restore " + snapshot.index());
        }

        @Override
        public void committed(List<LogEntry> entries) {
            effects.add("committed " + entries.size());
        }

        @Override
        public void loads(List<EntryLoad> loads) {
            effects.add("loads " + loads.size());
        }

        @Override
        public void snapshotWork(SnapshotWork work) {
            effects.add("snapshot work");
        }

        @Override
        public void reads(List<ReadState> readStates, List<Long> failedReads) {
            effects.add("reads " + readStates.size() + "/" + failedReads.size());
        }

        @Override
        public void softState(SoftState state) {
            effects.add("soft " + state.role());
        }

        @Override
        public void adminResults(List<AdminResult> results) {
            effects.add("admin " + results.size());
        }
    }

    /** A log storage whose writes complete when the test says so. */
    private static final class FakeStorage implements LogStorage {
        final List<CompletableFuture<Void>> writes = new ArrayList<>();
        final List<String> calls = new ArrayList<>();
        long lastIndex;

        private CompletableFuture<Void> write(String call) {
            calls.add(call);
            CompletableFuture<Void> f = new CompletableFuture<>();
            writes.add(f);
            return f;
        }

        @Override
        public HardState hardState() {
            return HardState.INITIAL;
        }

        @Override
        public CompletableFuture<Void> saveHardState(HardState state) {
            return write("hard state " + state.term());
        }

        @Override
        public long firstIndex() {
            return 1;
        }

        @Override
        public long lastIndex() {
            return lastIndex;
        }

        @Override
        public long termAt(long index) {
            return 1;
        }

        @Override
        public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
            return List.of();
        }

        @Override
        public CompletableFuture<Void> append(List<LogEntry> entries) {
            lastIndex = entries.get(entries.size() - 1).index();
            return write("append " + entries.get(0).index() + ".." + lastIndex);
        }

        @Override
        public CompletableFuture<Void> truncateSuffix(long fromIndex) {
            lastIndex = fromIndex - 1;
            return write("truncate from " + fromIndex);
        }

        @Override
        public CompletableFuture<Void> reset(long nextIndex) {
            lastIndex = nextIndex - 1;
            return write("reset to " + nextIndex);
        }

        @Override
        public void purgePrefix(long upToIndex) {
        }

        @Override
        public void close() {
        }
    }

    private static Ready ready(HardState hs, List<LogEntry> entries, List<RaftMessage> messages,
                               List<RaftMessage> persistBound) {
        long first = entries.isEmpty() ? Long.MAX_VALUE : entries.get(0).index();
        return new Ready(hs, false, first, entries, messages, persistBound, List.of(), List.of(), List.of(), null,
                SnapshotWork.NONE, List.of(), List.of());
    }

    private static LogEntry entry(long index, long term) {
        return LogEntry.command(index, term, new byte[]{1});
    }

    private static RaftMessage ack(long term) {
        return new AppendEntriesResponse(N2, N1, term, true, 1, 0, 0);
    }

    @Test
    void messagesLeaveAtOnceWhilePersistBoundOnesWaitForTheWrite() {
        executor.execute(ready(null, List.of(entry(1, 1)), List.of(new Heartbeat(N1, N2, 1, 0, 0)),
                List.of(ack(1))));
        assertThat(effects).containsExactly("send Heartbeat term 1");
        assertThat(executor.writesInFlight()).isEqualTo(1);
        storage.writes.get(0).complete(null);
        assertThat(effects).containsExactly("send Heartbeat term 1", "send AppendEntriesResponse term 1",
                "persisted 1@1");
        assertThat(executor.writesInFlight()).isZero();
    }

    @Test
    void aReadyWithoutWritesHoldsItsPersistBoundMessagesBehindTheWriteInFlight() {
        executor.execute(ready(new HardState(2, N2), List.of(), List.of(), List.of(
                new VoteResponse(N1, N2, 2, true, false))));
        executor.execute(ready(null, List.of(), List.of(), List.of(ack(2))));
        assertThat(effects).isEmpty();
        storage.writes.get(0).complete(null);
        assertThat(effects).containsExactly("send VoteResponse term 2", "send AppendEntriesResponse term 2");
    }

    @Test
    void writesFinishingOutOfOrderReleaseTheirMessagesInTheOrderTheyWereIssued() {
        executor.execute(ready(null, List.of(entry(1, 1)), List.of(), List.of(ack(1))));
        executor.execute(ready(null, List.of(entry(2, 1)), List.of(), List.of(ack(2))));
        storage.writes.get(1).complete(null);
        assertThat(effects).isEmpty();
        storage.writes.get(0).complete(null);
        assertThat(effects).containsExactly("send AppendEntriesResponse term 1", "persisted 1@1",
                "send AppendEntriesResponse term 2", "persisted 2@1");
    }

    @Test
    void withNothingInFlightPersistBoundMessagesGoAtOnce() {
        executor.execute(ready(null, List.of(), List.of(), List.of(ack(3))));
        assertThat(effects).containsExactly("send AppendEntriesResponse term 3");
        assertThat(storage.calls).isEmpty();
    }

    @Test
    void theHardStateIsWrittenBeforeTheTruncationAndTheEntries() {
        storage.lastIndex = 5;
        executor.execute(new Ready(new HardState(3, null), false, 4, List.of(entry(4, 3)), List.of(), List.of(),
                List.of(), List.of(), List.of(), null, SnapshotWork.NONE, List.of(), List.of()));
        assertThat(storage.calls).containsExactly("hard state 3", "truncate from 4", "append 4..4");
    }

    @Test
    void aFailedWriteIsReportedAndReleasesNothing() {
        executor.execute(ready(null, List.of(entry(1, 1)), List.of(), List.of(ack(1))));
        storage.writes.get(0).completeExceptionally(new java.io.IOException("disk gone"));
        assertThat(effects).containsExactly("write failed: disk gone");
    }

    @Test
    void theOtherOutputsFollowInTheirOrderAfterTheMessages() {
        Membership m = Membership.ofVoters(List.of(Member.of(N1)));
        SnapshotMetadata snap = new SnapshotMetadata(7, 1, m, 0, 0, 0);
        Ready rd = new Ready(null, false, Long.MAX_VALUE, List.of(), List.of(new Heartbeat(N1, N2, 1, 0, 0)),
                List.of(), List.of(entry(8, 1)), List.of(new ReadState(1, 8)), List.of(2L),
                new SoftState(Role.LEADER, 1, N1, m, 0),
                new SnapshotWork(snap, List.of()),
                List.of(new AdminResult(3, AdminResult.Outcome.SUCCESS, "", m, 0)),
                List.of(new EntryLoad(N2, 1, 1, 5, 1024)));
        executor.execute(rd);
        assertThat(effects).containsExactly("send Heartbeat term 1", "restore 7", "committed 1", "loads 1", "snapshot work",
                "reads 1/1", "soft LEADER", "admin 1");
    }
}
