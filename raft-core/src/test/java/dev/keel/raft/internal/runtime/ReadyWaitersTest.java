package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.ServerStatus;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadyWaitersTest {
    private static final Supplier<ServerStatus> STATUS = () -> new ServerStatus(NodeId.of("n2"), Role.FOLLOWER, 3,
            NodeId.of("n1"), 202, 202, 1, 202, 0, null, 0, false, Map.of());

    private final ReadyWaiters waiters = new ReadyWaiters(Runnable::run);

    @Test
    void aWaiterIsNotReadyBeforeItsRoundAnswersHoweverMuchIsApplied() {
        CompletableFuture<ServerStatus> f = new CompletableFuture<>();
        waiters.add(f);
        assertThat(waiters.needsRound()).isTrue();
        waiters.started(7);

        // A member restarted in the leader's term applies what it knew (the opening entry, say) at once: not enough.
        waiters.check(true, 1, STATUS);
        assertThat(f).isNotDone();

        assertThat(waiters.answered(7, 202)).isTrue();
        waiters.check(true, 201, STATUS);
        assertThat(f).isNotDone();
        waiters.check(false, 202, STATUS);
        assertThat(f).as("not while no leader is known").isNotDone();
        waiters.check(true, 202, STATUS);
        assertThat(f).isCompletedWithValue(STATUS.get());
        assertThat(waiters.isEmpty()).isTrue();
    }

    @Test
    void aWaiterThatAsksDuringARoundTakesTheNextOne() {
        CompletableFuture<ServerStatus> early = new CompletableFuture<>();
        CompletableFuture<ServerStatus> late = new CompletableFuture<>();
        waiters.add(early);
        waiters.started(1);
        waiters.add(late);
        assertThat(waiters.needsRound()).as("one round at a time").isFalse();

        waiters.answered(1, 10);
        waiters.check(true, 10, STATUS);
        assertThat(early).isDone();
        assertThat(late).as("its round started before it asked").isNotDone();
        assertThat(waiters.needsRound()).isTrue();
        waiters.started(2);
        waiters.answered(2, 12);
        waiters.check(true, 12, STATUS);
        assertThat(late).isDone();
    }

    @Test
    void aFailedRoundIsStartedAgainAndOtherReadsAreNotTakenForIt() {
        CompletableFuture<ServerStatus> f = new CompletableFuture<>();
        waiters.add(f);
        waiters.started(5);
        assertThat(waiters.answered(4, 100)).as("someone else's read").isFalse();
        assertThat(waiters.failed(6)).isFalse();

        assertThat(waiters.failed(5)).isTrue();
        assertThat(waiters.needsRound()).isTrue();
        waiters.check(true, 1_000, STATUS);
        assertThat(f).isNotDone();
        waiters.started(8);
        waiters.answered(8, 50);
        waiters.check(true, 50, STATUS);
        assertThat(f).isDone();
    }

    @Test
    void givenUpWaitersAreDroppedAndStoppingFailsTheRest() {
        CompletableFuture<ServerStatus> given = new CompletableFuture<>();
        CompletableFuture<ServerStatus> waiting = new CompletableFuture<>();
        waiters.add(given);
        waiters.add(waiting);
        given.cancel(false);
        waiters.check(true, 0, STATUS);

        waiters.failAll(new IllegalStateException("stopped"));

        assertThat(waiters.isEmpty()).isTrue();
        assertThatThrownBy(waiting::join).hasCauseInstanceOf(IllegalStateException.class);
    }
}
