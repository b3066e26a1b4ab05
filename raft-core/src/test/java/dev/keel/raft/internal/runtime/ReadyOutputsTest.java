package dev.keel.raft.internal.runtime;

import dev.keel.raft.Membership;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.Role;

import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.exception.StorageException;
import dev.keel.raft.internal.engine.ProposeResult;
import dev.keel.raft.internal.engine.ReadState;
import dev.keel.raft.internal.engine.SoftState;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.message.ForwardResponse.Outcome;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.spi.Transport;
import dev.keel.raft.statemachine.StateMachine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static dev.keel.raft.internal.runtime.EngineFixture.N1;
import static dev.keel.raft.internal.runtime.EngineFixture.N2;
import static dev.keel.raft.internal.runtime.EngineFixture.ONE;
import static dev.keel.raft.internal.runtime.EngineFixture.THREE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where a Ready's outputs go, with a real engine leading a cluster of one, a real applier and status publisher, and
 * the applier thread run by the test.
 */
class ReadyOutputsTest {
    private final EngineFixture f = EngineFixture.starting(ONE, EngineFixture.config(true));
    private final List<Throwable> fatal = new ArrayList<>();
    private final List<String> transport = new ArrayList<>();
    private final List<Long> applied = new ArrayList<>();
    /** Per hand-off to the applier thread: the published commit index then, and the applied index after. */
    private final List<long[]> handOffs = new ArrayList<>();
    private final ArrayDeque<Runnable> eventLoop = new ArrayDeque<>();
    private final RequestRegistry registry = new RequestRegistry(N1, 10, 10);
    private Applier applier;
    private StatusPublisher status;
    private ReadyOutputs outputs;
    private ReadyExecutor executor;

    private final Transport fakeTransport = new Transport() {
        @Override
        public void start(InboundHandler handler) {
        }

        @Override
        public void send(RaftMessage message) {
            transport.add("send " + message.getClass().getSimpleName() + " to " + message.to());
        }

        @Override
        public void membershipChanged(Membership membership) {
            transport.add("membership " + membership.voterIds());
        }

        @Override
        public void close() {
        }
    };

    private final StateMachine stateMachine = new StateMachine() {
        @Override
        public byte[] apply(long index, byte[] command) {
            applied.add(index);
            return command;
        }

        @Override
        public byte[] query(byte[] query) {
            return ("applied " + applier.appliedIndex()).getBytes(StandardCharsets.UTF_8);
        }
    };

    @BeforeEach
    void wire() {
        Telemetry telemetry = Telemetry.none(N1);
        applier = new Applier(N1, stateMachine, null, ONE, fatal::add, telemetry.applyLatency);
        status = new StatusPublisher(N1, applier::appliedIndex, f.engine.softState(), 0, f.engine.log().commitIndex(),
                f.engine.log().firstIndex(), f.engine.log().lastIndex());
        Executor applierThread = task -> {
            long published = status.status().commitIndex();
            task.run();
            handOffs.add(new long[]{published, applier.appliedIndex()});
        };
        EventLoop loop = new EventLoop("n1", eventLoop::add, 16, () -> { }, t -> { },
                () -> new ServerStoppedException("n1 is closed"), () -> { });
        RaftConfig config = f.engine.config();
        Sessions sessions = new Sessions(N1, config, Runnable::run, loop, (r, done) -> { }, f.engine::leader,
                f.engine::membership);
        outputs = new ReadyOutputs(N1, f.engine, fakeTransport, telemetry, applier, applierThread, registry,
                new ReadyWaiters(Runnable::run), status, new Forwarder(N1, config, fakeTransport::send, 1), sessions,
                null, new EntryLoader(N1, f.storage, f.engine, eventLoop::add, fatal::add), fatal::add);
        executor = new ReadyExecutor(f.storage, outputs, Runnable::run);
    }

    /** Ticks the engine as the event loop would until n1 leads (bounded by a few election timeouts). */
    private void becomeLeader() {
        for (int i = 0; i < 20 * f.engine.electionTimeoutTicks() && f.engine.role() != Role.LEADER; i++) {
            f.engine.tick();
            outputs.afterBatch(executor);
        }
        assertThat(f.engine.role()).isEqualTo(Role.LEADER);
        outputs.afterBatch(executor);
    }

    @Test
    void committedEntriesArePublishedBeforeTheApplierGetsThem() {
        becomeLeader();
        List<Reply> replies = new ArrayList<>();
        byte[] command = {4, 2};
        ProposeResult r = f.engine.propose(EntryType.REQUEST, RequestEntry.command(1, command));
        registry.proposed(new PendingProposal(r.index(), r.term(), replies::add, 0));
        outputs.afterBatch(executor);

        assertThat(fatal).isEmpty();
        assertThat(applied).containsExactly(r.index());
        assertThat(replies).singleElement().satisfies(reply -> {
            assertThat(reply.isOk()).isTrue();
            assertThat(reply.index()).isEqualTo(r.index());
            assertThat(reply.result()).isEqualTo(command);
        });
        assertThat(handOffs).isNotEmpty().allSatisfy(h -> assertThat(h[0])
                .as("commit index published when the applier got entries up to %d", h[1]).isGreaterThanOrEqualTo(h[1]));
        assertThat(handOffs.get(handOffs.size() - 1)[1]).isEqualTo(r.index());
        assertThat(status.status().commitIndex()).isEqualTo(r.index());
        assertThat(status.status().appliedIndex()).isEqualTo(r.index());
    }

    @Test
    void aReadStateGoesToTheApplierWithItsReadIndex() {
        becomeLeader();
        long appliedNow = applier.appliedIndex();
        PendingQuery now = new PendingQuery(new byte[0], new CompletableFuture<>());
        PendingQuery later = new PendingQuery(new byte[0], new CompletableFuture<>());
        registry.reading(1, now);
        registry.reading(2, later);
        outputs.reads(List.of(new ReadState(1, appliedNow), new ReadState(2, appliedNow + 1)), List.of());

        assertThat(answer(now)).isEqualTo("applied " + appliedNow);
        assertThat(later.future()).as("waits for index %d to be applied", appliedNow + 1).isNotDone();
        assertThat(registry.takeRead(1)).isNull();

        ProposeResult r = f.engine.propose(EntryType.REQUEST, RequestEntry.command(1, new byte[]{1}));
        outputs.afterBatch(executor);
        assertThat(r.index()).isEqualTo(appliedNow + 1);
        assertThat(answer(later)).isEqualTo("applied " + r.index());
    }

    private static String answer(PendingQuery q) {
        assertThat(q.future()).isDone();
        return new String(q.future().join(), StandardCharsets.UTF_8);
    }

    @Test
    void aFailedReadFailsNotLeader() {
        becomeLeader();
        PendingQuery q = new PendingQuery(new byte[0], new CompletableFuture<>());
        registry.reading(7, q);
        outputs.reads(List.of(), List.of(7L));
        assertThatThrownBy(q.future()::join).hasCauseInstanceOf(NotLeaderException.class);
        assertThat(registry.takeRead(7)).isNull();
    }

    @Test
    void losingLeadershipFailsPendingCommandsAsIndeterminate() {
        becomeLeader();
        long term = f.engine.term();
        List<Reply> replies = new ArrayList<>();
        registry.proposed(new PendingProposal(100, term, replies::add, 0));

        // A new configuration in the same term and role keeps the commands waiting.
        outputs.softState(new SoftState(Role.LEADER, term, N1, ONE, 1));
        assertThat(replies).isEmpty();

        outputs.softState(new SoftState(Role.FOLLOWER, term + 1, null, ONE, 1));
        assertThat(replies).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.INDETERMINATE);
            assertThat(r.detail()).contains("term " + term);
        });
        assertThat(registry.committed(Long.MAX_VALUE)).isEmpty();
        assertThat(status.status().role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void aConfigurationChangeReachesTheTransportOnce() {
        becomeLeader();
        long term = f.engine.term();
        transport.clear();
        outputs.softState(new SoftState(Role.LEADER, term, N1, THREE, 5));
        assertThat(transport).containsExactly("membership " + THREE.voterIds());
        outputs.softState(new SoftState(Role.LEADER, term, N1, THREE, 5));
        assertThat(transport).hasSize(1);
        assertThat(status.status().membership()).isEqualTo(THREE);
    }

    @Test
    void messagesGoToTheTransport() {
        outputs.send(new Heartbeat(N1, N2, 1, 0, 0));
        assertThat(transport).containsExactly("send Heartbeat to " + N2);
    }

    @Test
    void loadsGoToTheEntryLoader() {
        becomeLeader();
        EntryLoad load = new EntryLoad(N2, f.engine.term(), 1, 2, 1024);
        outputs.loads(List.of(load));
        assertThat(f.storage.asyncCalls).containsExactly("[1, 2)");
        assertThat(eventLoop).as("the answer is posted to the event loop").hasSize(1);
    }

    @Test
    void aFailedWriteIsFatal() {
        IOException disk = new IOException("disk full");
        outputs.writeFailed(disk);
        assertThat(fatal).singleElement().isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(N1.toString()).contains("fail-stop"))
                .satisfies(e -> assertThat(e.getCause()).isSameAs(disk));
    }
}
