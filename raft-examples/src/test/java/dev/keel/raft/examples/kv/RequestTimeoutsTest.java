package dev.keel.raft.examples.kv;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RequestTimeoutsTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private static final byte[] TIMED_OUT = Replies.error("TRYAGAIN timed out");

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aRequestStillRunningAtItsDeadlineGetsTheTimeoutReply() {
        RequestTimeouts timeouts = new RequestTimeouts(1, timer);
        CompletableFuture<byte[]> running = new CompletableFuture<>();
        timeouts.watch(running, TIMED_OUT);
        timeouts.sweep();
        assertThat(running.getNow(null)).isEqualTo(TIMED_OUT);
    }

    @Test
    void aRequestThatCompletedKeepsItsReplyAndOneBeforeItsDeadlineIsLeftAlone() {
        RequestTimeouts timeouts = new RequestTimeouts(TimeUnit.HOURS.toNanos(1), timer);
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        CompletableFuture<byte[]> running = new CompletableFuture<>();
        timeouts.watch(done, TIMED_OUT);
        timeouts.watch(running, TIMED_OUT);
        done.complete(Replies.OK);
        timeouts.sweep();
        assertThat(done.getNow(null)).isEqualTo(Replies.OK);
        assertThat(running).isNotDone();
    }
}
