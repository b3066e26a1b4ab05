package dev.keel.raft.internal.runtime;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.internal.engine.SoftState;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Admission and refusal of callers' operations; what they do once on the loop is the router's and the server's. */
class ClientOperationsTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final Membership M = Membership.ofVoters(List.of(Member.of(N1)));

    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final RequestRegistry registry = new RequestRegistry(N1, 10, 10);
    private final EventLoop loop = new EventLoop("n1", pending::add, 2, () -> { }, t -> { },
            () -> new ServerStoppedException("n1 is closed"), () -> { });
    private final ClientOperations ops = new ClientOperations(N1, loop, registry, null, new ReadyWaiters(Runnable::run),
            null, null, Telemetry.none(N1), new StatusPublisher(N1, () -> 0, new SoftState(Role.FOLLOWER, 1, null, M, 0),
            0, 0, 1, 0), f -> f.complete(null), closed::get, () -> new ServerStoppedException("n1 is closed"));

    private void runLoop() {
        while (!pending.isEmpty()) {
            pending.poll().run();
        }
    }

    @Test
    void aSubmitRefusedByAFullInboxFailsAsBusyAndGivesBackItsPendingSlot() {
        ops.submit(new byte[]{1});
        ops.submit(new byte[]{2});
        CompletableFuture<byte[]> third = ops.submit(new byte[]{3});
        assertThatThrownBy(third::join).hasCauseInstanceOf(ServerBusyException.class)
                .hasMessageContaining("inboxCapacity");
        assertThat(registry.pendingSubmits()).isEqualTo(2);
    }

    @Test
    void aReadRefusedByAFullInboxFailsAsBusyAndIsNotCountedPending() {
        ops.read(new byte[0]);
        ops.read(new byte[0]);
        CompletableFuture<byte[]> third = ops.read(new byte[0]);
        assertThatThrownBy(third::join).hasCauseInstanceOf(ServerBusyException.class)
                .hasMessageContaining("inboxCapacity");
        assertThat(registry.pendingReads()).isEqualTo(2);
    }

    @Test
    void aClosedServerRefusesEveryOperationAtOnce() {
        closed.set(true);
        for (CompletableFuture<?> f : List.of(ops.submit(new byte[0]), ops.read(new byte[0]), ops.whenReady(),
                ops.openSession(), ops.changeMembership(M, 0), ops.transferLeadership(N1), ops.snapshot())) {
            assertThatThrownBy(f::join).hasCauseInstanceOf(ServerStoppedException.class);
        }
        assertThat(pending).isEmpty();
        assertThat(registry.pendingSubmits()).isZero();
    }

    @Test
    void operationsStillQueuedWhenTheLoopFailsAreRefusedInsteadOfHanging() {
        loop.post(() -> {
            throw new AssertionError("invariant broken");
        });
        CompletableFuture<?> ready = ops.whenReady();
        CompletableFuture<?> submit = ops.submit(new byte[0]);
        runLoop();
        assertThatThrownBy(ready::join).hasCauseInstanceOf(ServerStoppedException.class);
        assertThatThrownBy(submit::join).hasCauseInstanceOf(ServerStoppedException.class);
        assertThat(registry.pendingSubmits()).isZero();
    }
}
