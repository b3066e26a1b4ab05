package dev.keel.raft.internal.runtime;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.RaftMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static dev.keel.raft.internal.runtime.EngineFixture.N1;
import static dev.keel.raft.internal.runtime.EngineFixture.N2;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loader against a real leader of three whose log (entries 1..3 of term 1) is on disk only: n2 lags from index 1,
 * so the leader asks for a load of [1, 5) (the three entries and its own no-op at 4).
 */
class EntryLoaderTest {
    private final EngineFixture.MemoryStorage storage = EngineFixture.MemoryStorage.holding(3, 3);
    private final ArrayDeque<Runnable> eventLoop = new ArrayDeque<>();
    private final List<Throwable> fatal = new ArrayList<>();
    private final List<CompletableFuture<List<LogEntry>>> reads = new ArrayList<>();
    private EngineFixture f;
    private EntryLoader loader;
    private EntryLoad load;

    @BeforeEach
    void leaderWithALaggingFollower() {
        f = EngineFixture.leaderOfThree(storage);
        f.engine.step(new AppendEntriesResponse(N2, N1, f.engine.term(), false, 3, 0, 1));
        f.drain();
        assertThat(f.loads).as("the leader needs n2's entries from disk").hasSize(1);
        load = f.loads.get(0);
        assertThat(load.peer()).isEqualTo(N2);
        assertThat(load.from()).isEqualTo(1);
        f.sent.clear();
        storage.async = range -> {
            CompletableFuture<List<LogEntry>> read = new CompletableFuture<>();
            reads.add(read);
            return read;
        };
        loader = new EntryLoader(N1, storage, f.engine, eventLoop::add, fatal::add);
    }

    private void runEventLoop() {
        while (!eventLoop.isEmpty()) {
            eventLoop.poll().run();
        }
    }

    private List<AppendEntriesRequest> appendsToN2() {
        f.drain();
        List<AppendEntriesRequest> out = new ArrayList<>();
        for (RaftMessage m : f.sent) {
            if (m instanceof AppendEntriesRequest a && a.to().equals(N2)) {
                out.add(a);
            }
        }
        return out;
    }

    @Test
    void loadedEntriesAreReadAsynchronouslyAndReachTheEngineOnlyOnTheEventLoop() {
        loader.start(List.of(load));
        assertThat(storage.asyncCalls).containsExactly("[" + load.from() + ", " + load.to() + ")");
        assertThat(eventLoop).isEmpty();

        // The storage's thread completes the read: nothing touches the engine there, the answer is posted.
        reads.get(0).complete(storage.entries(load.from(), load.to(), load.maxBytes()));
        assertThat(eventLoop).hasSize(1);
        assertThat(appendsToN2()).isEmpty();

        runEventLoop();
        List<AppendEntriesRequest> appends = appendsToN2();
        assertThat(appends).hasSize(1);
        assertThat(appends.get(0).prevLogIndex()).isZero();
        assertThat(appends.get(0).entries()).extracting(LogEntry::index).startsWith(1L, 2L, 3L);
        assertThat(fatal).isEmpty();
    }

    @Test
    void entriesGoneAreReportedToTheEngineWhichAsksForThemAgain() {
        loader.start(List.of(load));
        reads.get(0).completeExceptionally(new IndexOutOfBoundsException("compacted meanwhile"));
        runEventLoop();
        assertEntryLoadFailed();
    }

    @Test
    void entriesGoneWrappedInACompletionExceptionAreReportedToTheEngineToo() {
        loader.start(List.of(load));
        reads.get(0).completeExceptionally(new CompletionException(new IndexOutOfBoundsException("truncated")));
        runEventLoop();
        assertEntryLoadFailed();
    }

    /**
     * The leader gave the load up (no append sent) and, at n2's next heartbeat answer, probes again and so asks for
     * a fresh load; nothing is fatal.
     */
    private void assertEntryLoadFailed() {
        assertThat(fatal).isEmpty();
        assertThat(appendsToN2()).isEmpty();
        f.loads.clear();
        heartbeatAnswerFromN2();
        assertThat(f.loads).extracting(EntryLoad::peer).containsExactly(N2);
    }

    private void heartbeatAnswerFromN2() {
        f.engine.step(new HeartbeatResponse(N2, N1, f.engine.term(), 0, 0));
        f.drain();
    }

    @Test
    void whileALoadIsOutstandingTheLeaderAsksForNoOther() {
        // The contrast to the tests above: without entryLoadFailed the same heartbeat answer asks for nothing.
        loader.start(List.of(load));
        f.loads.clear();
        heartbeatAnswerFromN2();
        assertThat(f.loads).isEmpty();
    }

    @Test
    void anyOtherReadFailureIsFatalWithAStorageExceptionNamingThePeer() {
        loader.start(List.of(load));
        IOException disk = new IOException("bad sector");
        reads.get(0).completeExceptionally(new CompletionException(new UncheckedIOException(disk)));
        runEventLoop();
        assertThat(fatal).singleElement().isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(N1.toString()).contains(N2.toString()))
                .satisfies(e -> assertThat(e.getCause()).isInstanceOf(UncheckedIOException.class).hasCause(disk));
        assertThat(appendsToN2()).isEmpty();
    }

    @Test
    void aStorageExceptionIsPassedOnAsItIs() {
        loader.start(List.of(load));
        StorageException broken = new StorageException("n1: segment 3 is corrupt", new IOException("crc"));
        reads.get(0).completeExceptionally(broken);
        runEventLoop();
        assertThat(fatal).containsExactly(broken);
    }

    @Test
    void aStorageThatThrowsWhenCalledIsHandledAsAFailedRead() {
        storage.async = range -> {
            throw new IllegalStateException("storage closed");
        };
        loader.start(List.of(load));
        assertThat(eventLoop).as("the failure is handled on the event loop too").hasSize(1);
        assertThat(fatal).isEmpty();
        runEventLoop();
        assertThat(fatal).singleElement().isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(N2.toString()))
                .satisfies(e -> assertThat(e.getCause()).isInstanceOf(IllegalStateException.class));
    }

    @Test
    void aStorageThatThrowsIndexOutOfBoundsWhenCalledReportsTheEntriesGone() {
        storage.async = range -> {
            throw new IndexOutOfBoundsException("range checked at call time");
        };
        loader.start(List.of(load));
        runEventLoop();
        assertEntryLoadFailed();
    }
}
