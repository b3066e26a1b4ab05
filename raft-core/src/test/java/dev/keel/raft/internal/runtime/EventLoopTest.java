package dev.keel.raft.internal.runtime;

import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.exception.ServerStoppedException;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class EventLoopTest {
    /** Runs the loop's drains only when the test says so. */
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private final List<String> ran = new ArrayList<>();
    private final List<Throwable> fatal = new ArrayList<>();
    private EventLoop loop;

    private EventLoop loop(int capacity) {
        loop = new EventLoop("n1", pending::add, capacity, () -> ran.add("batch"), t -> {
            fatal.add(t);
            loop.stop(() -> ran.add("last"));
        }, () -> new ServerStoppedException("n1 is closed"), () -> ran.add("dropped"));
        return loop;
    }

    private void runLoop() {
        while (!pending.isEmpty()) {
            pending.poll().run();
        }
    }

    private static void refuseNothing(RuntimeException e) {
        throw new AssertionError("refused: " + e);
    }

    @Test
    void tasksRunInArrivalOrderAndEachBatchEndsOnce() {
        loop(16);
        loop.post(() -> ran.add("write done"));
        loop.deliver(() -> ran.add("message"));
        loop.submit(() -> ran.add("submit"), EventLoopTest::refuseNothing);
        loop.tick(() -> ran.add("tick"));
        runLoop();
        assertThat(ran).containsExactly("write done", "message", "submit", "tick", "batch");
    }

    @Test
    void aClientOperationBeyondTheCapacityIsRefusedAsBusyAndNothingIsQueued() {
        loop(16);
        List<RuntimeException> refusals = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            loop.submit(() -> ran.add("op" + n), refusals::add);
        }
        assertThat(refusals).hasSize(4).allSatisfy(e -> assertThat(e).isInstanceOf(ServerBusyException.class)
                .hasMessageContaining("inboxCapacity"));
        assertThat(loop.queuedOperations()).isEqualTo(16);
        runLoop();
        assertThat(ran).hasSize(17).startsWith("op0").endsWith("op15", "batch");
        // Once the loop caught up, operations are accepted again.
        assertThat(loop.submit(() -> ran.add("later"), refusals::add)).isTrue();
        assertThat(refusals).hasSize(4);
    }

    @Test
    void anInboundMessageBeyondTheCapacityIsDroppedAndCounted() {
        loop(16);
        for (int i = 0; i < 50; i++) {
            loop.deliver(() -> ran.add("message"));
        }
        assertThat(loop.droppedMessages()).isEqualTo(34);
        assertThat(ran.stream().filter("dropped"::equals)).as("each drop reported to the metric").hasSize(34);
        runLoop();
        assertThat(ran.stream().filter("message"::equals)).hasSize(16);
        assertThat(loop.deliver(() -> ran.add("message"))).isTrue();
    }

    @Test
    void messagesAndClientOperationsAreBoundedSeparately() {
        loop(16);
        for (int i = 0; i < 16; i++) {
            loop.deliver(() -> ran.add("message"));
        }
        assertThat(loop.submit(() -> ran.add("op"), EventLoopTest::refuseNothing)).isTrue();
        assertThat(loop.droppedMessages()).isZero();
    }

    @Test
    void completionsOfTheLoopsOwnWorkAreNeverRefused() {
        loop(16);
        for (int i = 0; i < 1000; i++) {
            loop.post(() -> ran.add("done"));
        }
        runLoop();
        assertThat(ran.stream().filter("done"::equals)).hasSize(1000);
    }

    @Test
    void atMostOneTickWaits() {
        loop(16);
        for (int i = 0; i < 5; i++) {
            loop.tick(() -> ran.add("tick"));
        }
        runLoop();
        assertThat(ran).containsExactly("tick", "batch");
        loop.tick(() -> ran.add("tick"));
        runLoop();
        assertThat(ran).containsExactly("tick", "batch", "tick", "batch");
    }

    @Test
    void anErrorInATaskStopsTheLoopRunningOnlyTheLastTaskAndRefusesWaitingOperations() {
        loop(16);
        List<RuntimeException> refusals = new ArrayList<>();
        loop.post(() -> {
            throw new AssertionError("invariant broken");
        });
        loop.deliver(() -> ran.add("message after the error"));
        loop.submit(() -> ran.add("op after the error"), refusals::add);
        loop.post(() -> ran.add("completion after the error"));
        runLoop();
        assertThat(fatal).singleElement().satisfies(t -> assertThat(t).hasMessage("invariant broken"));
        assertThat(ran).containsExactly("last");
        assertThat(refusals).singleElement().isInstanceOf(ServerStoppedException.class);
        assertThat(loop.isStopping()).isTrue();
        // Nothing runs any more, and a new operation is refused at once.
        loop.post(() -> ran.add("too late"));
        loop.submit(() -> ran.add("too late"), refusals::add);
        runLoop();
        assertThat(ran).containsExactly("last");
        assertThat(refusals).hasSize(2);
    }

    @Test
    void anErrorAfterTheBatchStopsTheLoopToo() {
        loop = new EventLoop("n1", pending::add, 16, () -> {
            throw new IllegalStateException("ready failed");
        }, t -> {
            fatal.add(t);
            loop.stop(() -> ran.add("last"));
        }, () -> new ServerStoppedException("n1 is closed"), () -> { });
        loop.post(() -> ran.add("task"));
        runLoop();
        assertThat(fatal).singleElement().satisfies(t -> assertThat(t).hasMessage("ready failed"));
        assertThat(ran).containsExactly("task", "last");
    }

    @Test
    void stoppingRunsWhatWasQueuedBeforeThenTheLastTaskThenNothing() {
        loop(16);
        List<RuntimeException> refusals = new ArrayList<>();
        loop.submit(() -> ran.add("op before"), refusals::add);
        loop.stop(() -> ran.add("last"));
        loop.stop(() -> ran.add("second last"));
        loop.submit(() -> ran.add("op after"), refusals::add);
        loop.deliver(() -> ran.add("message after"));
        runLoop();
        assertThat(ran).containsExactly("op before", "last");
        assertThat(refusals).singleElement().isInstanceOf(ServerStoppedException.class);
    }

    @Test
    void anErrorOnARealThreadStopsTheNodeAndTheThreadGoesOn() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Throwable> stopped = new CompletableFuture<>();
            AtomicReference<EventLoop> ref = new AtomicReference<>();
            EventLoop real = new EventLoop("n1", thread, 16, () -> { }, t -> ref.get().stop(() ->
                    stopped.complete(t)), () -> new ServerStoppedException("n1 is closed"), () -> { });
            ref.set(real);
            real.post(() -> {
                throw new StackOverflowError("deep");
            });
            assertThat(stopped.get(30, TimeUnit.SECONDS)).isInstanceOf(StackOverflowError.class);
            // The thread survived: other work still runs on it.
            assertThat(thread.submit(() -> "alive").get(30, TimeUnit.SECONDS)).isEqualTo("alive");
            CompletableFuture<RuntimeException> refused = new CompletableFuture<>();
            real.submit(() -> refused.complete(null), refused::complete);
            assertThat(refused.get(30, TimeUnit.SECONDS)).isInstanceOf(ServerStoppedException.class);
        } finally {
            thread.shutdownNow();
        }
    }
}
