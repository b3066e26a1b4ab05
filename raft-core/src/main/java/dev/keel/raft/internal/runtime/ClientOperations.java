package dev.keel.raft.internal.runtime;

import dev.keel.raft.ClientSession;
import dev.keel.raft.Committed;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.ClientRequest;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What callers ask of a server, from any thread: each operation is admitted (the pending bounds of the
 * {@link RequestRegistry}), then queued as one client operation on the {@link EventLoop}, which refuses it with a
 * {@code ServerBusyException} when its inbox is full, and runs it there (routing, sessions, readiness).
 */
public final class ClientOperations {
    private final NodeId self;
    private final EventLoop loop;
    private final RequestRegistry registry;
    private final RequestRouter router;
    private final ReadyWaiters readyWaiters;
    private final ReadyOutputs outputs;
    private final Sessions sessions;
    private final Telemetry telemetry;
    private final StatusPublisher status;
    private final Consumer<CompletableFuture<SnapshotMetadata>> snapshots;
    private final BooleanSupplier closed;
    private final Supplier<RuntimeException> stoppedError;

    /**
     * @param snapshots    takes a snapshot on the applier thread, completing the future given
     * @param closed       whether the server is closed (operations fail at once)
     * @param stoppedError what they then fail with
     */
    ClientOperations(NodeId self, EventLoop loop, RequestRegistry registry, RequestRouter router,
                     ReadyWaiters readyWaiters, ReadyOutputs outputs, Sessions sessions, Telemetry telemetry,
                     StatusPublisher status, Consumer<CompletableFuture<SnapshotMetadata>> snapshots,
                     BooleanSupplier closed, Supplier<RuntimeException> stoppedError) {
        this.self = self;
        this.loop = loop;
        this.registry = registry;
        this.router = router;
        this.readyWaiters = readyWaiters;
        this.outputs = outputs;
        this.sessions = sessions;
        this.telemetry = telemetry;
        this.status = status;
        this.snapshots = snapshots;
        this.closed = closed;
        this.stoppedError = stoppedError;
    }

    /** Replicates a command; completes with its result and index. See {@code RaftServer.submitCommitted}. */
    public CompletableFuture<Committed<byte[]>> submitCommitted(byte[] command) {
        return submit(command, r -> new Committed<>(r.index(), r.result()));
    }

    /** Replicates a command; completes with its result. See {@code RaftServer.submit}. */
    public CompletableFuture<byte[]> submit(byte[] command) {
        return submit(command, Reply::result);
    }

    private <T> CompletableFuture<T> submit(byte[] command, Function<Reply, T> ok) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (closed.getAsBoolean()) {
            f.completeExceptionally(stoppedError.get());
            return f;
        }
        ServerBusyException busy = registry.admitSubmit();
        if (busy != null) {
            refused(f, Telemetry.Op.SUBMIT, busy);
            return f;
        }
        Submitted done = new Submitted(System.nanoTime(), reply -> {
            registry.submitDone();
            complete(f, reply, ok);
        });
        loop.submit(() -> router.route(new ClientRequest.Command(command), done), e -> {
            registry.submitDone();
            refused(f, Telemetry.Op.SUBMIT, e);
        });
        return f;
    }

    /** Runs a linearizable read; see {@code RaftServer.read}. */
    public CompletableFuture<byte[]> read(byte[] query) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (closed.getAsBoolean()) {
            f.completeExceptionally(stoppedError.get());
            return f;
        }
        ServerBusyException busy = registry.admitRead(f);
        if (busy != null) {
            refused(f, Telemetry.Op.READ, busy);
            return f;
        }
        long id = registry.nextId();
        loop.submit(() -> router.read(id, new PendingQuery(query, f)), e -> refused(f, Telemetry.Op.READ, e));
        return f;
    }

    /** Takes a snapshot now; completes once it is durable. See {@code RaftServer.snapshot}. */
    public CompletableFuture<SnapshotMetadata> snapshot() {
        CompletableFuture<SnapshotMetadata> f = new CompletableFuture<>();
        if (closed.getAsBoolean()) {
            f.completeExceptionally(stoppedError.get());
        } else {
            snapshots.accept(f);
        }
        return f;
    }

    /** Completes once a leader is known and this server has caught up; see {@code RaftServer.whenReady}. */
    public CompletableFuture<ServerStatus> whenReady() {
        CompletableFuture<ServerStatus> f = new CompletableFuture<>();
        return operation(f, () -> {
            readyWaiters.add(f);
            outputs.checkReady();
        });
    }

    /** Opens a client session; see {@code RaftServer.openSession}. */
    public CompletableFuture<ClientSession> openSession() {
        CompletableFuture<ClientSession> f = new CompletableFuture<>();
        return operation(f, () -> sessions.open(f));
    }

    /** Moves the cluster to the given voters and learners; see {@code RaftServer.changeMembership}. */
    public CompletableFuture<Membership> changeMembership(Membership target, long expectedIndex) {
        CompletableFuture<Membership> f = new CompletableFuture<>();
        return operation(f, () -> router.route(new ClientRequest.ChangeMembership(target, expectedIndex),
                reply -> complete(f, reply, r -> Membership.decode(r.result()))));
    }

    /** Hands leadership to {@code target}; see {@code RaftServer.transferLeadership}. */
    public CompletableFuture<Void> transferLeadership(NodeId target) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        return operation(f, () -> router.route(new ClientRequest.TransferLeadership(target),
                reply -> complete(f, reply, r -> null)));
    }

    /** Queues {@code task} as a client operation that completes {@code f}, or fails {@code f} if refused. */
    private <T> CompletableFuture<T> operation(CompletableFuture<T> f, Runnable task) {
        if (closed.getAsBoolean()) {
            f.completeExceptionally(stoppedError.get());
        } else {
            loop.submit(task, f::completeExceptionally);
        }
        return f;
    }

    private void refused(CompletableFuture<?> f, Telemetry.Op op, RuntimeException why) {
        if (why instanceof ServerBusyException) {
            telemetry.rejected(op, Telemetry.Reason.BUSY);
        }
        f.completeExceptionally(why);
    }

    /** Completes a caller's future with what {@code reply} stands for. */
    private <T> void complete(CompletableFuture<T> f, Reply reply, Function<Reply, T> ok) {
        if (reply.isOk()) {
            f.complete(ok.apply(reply));
        } else {
            f.completeExceptionally(Outcomes.toException(reply, self, status.status().membership()));
        }
    }
}
