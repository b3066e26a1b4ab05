package dev.keel.raft.internal.runtime;

import dev.keel.raft.Committed;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftListener;
import dev.keel.raft.Role;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.internal.engine.ProposeResult;
import dev.keel.raft.internal.engine.RaftEngine;
import dev.keel.raft.internal.engine.ReadState;
import dev.keel.raft.internal.engine.Ready;
import dev.keel.raft.internal.engine.SoftState;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.ForwardResponse.Outcome;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.metrics.MetricsRegistry;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.spi.RaftScheduler;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.Transport;
import dev.keel.raft.statemachine.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.random.RandomGenerator;

/**
 * Drives one {@link RaftEngine} for {@code RaftServer}. Every input (a message, a tick, a submit, a read, a storage
 * completion) is queued and run on the event loop; after each batch of inputs the loop takes the engine's
 * {@link Ready} and carries it out: one storage write for everything the batch produced (group commit), messages
 * sent (a follower's only once its writes are durable), committed entries handed to the applier thread.
 */
public final class ServerRuntime implements InboundHandler {
    private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);

    private final NodeId self;
    private final RaftConfig config;
    private final LogStorage storage;
    private final Transport transport;
    private final RaftScheduler scheduler;
    private final Executor loop;
    private final Executor applierExecutor;
    private final RaftEngine engine;
    private final Applier applier;
    private final SnapshotStorage snapshots;
    private final SnapshotMetadata initialSnapshot;
    private final SnapshotTransfers transfers;
    private final EntryLoader loader;
    private final Telemetry telemetry;
    private final List<RaftListener> listeners = new CopyOnWriteArrayList<>();

    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicInteger pendingProposals = new AtomicInteger();
    private final AtomicInteger pendingReads = new AtomicInteger();
    private final AtomicLong readIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    // Event-loop state.
    private final ArrayDeque<PendingProposal> proposals = new ArrayDeque<>();
    private final Map<Long, PendingQuery> reads = new HashMap<>();
    private final Map<Long, Consumer<Reply>> adminRequests = new HashMap<>();
    private final Forwarder forwarder;
    private final ForwardedRequests forwarded;
    private final ReadyWaiters readyWaiters;
    private final RequestStamper stamper;
    private final Sessions sessions;
    private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();
    private RaftScheduler.Cancellable ticker;
    private boolean halted;

    // Published for other threads.
    private volatile SoftState soft;
    private volatile long commitIndex;
    private volatile long lastLogIndex;
    // Written before snapshotIndex and read after it, so that no status shows a snapshot whose compaction is missing.
    private volatile long firstLogIndex;
    private volatile long snapshotIndex;
    private volatile boolean membershipChangeInProgress;
    private volatile Map<NodeId, Long> matchIndex = Map.of();
    private volatile Throwable failure;

    /** A storage write in flight and the messages that must wait for it. */
    private static final class PendingWrite {
        final long lastIndex;
        final long lastTerm;
        final List<RaftMessage> messages;
        boolean done;

        PendingWrite(long lastIndex, long lastTerm, List<RaftMessage> messages) {
            this.lastIndex = lastIndex;
            this.lastTerm = lastTerm;
            this.messages = new ArrayList<>(messages);
        }
    }

    /**
     * @param snapshots where snapshots are kept, or {@code null} to run without snapshots (the log is never
     *                  compacted)
     * @param clock     the wall clock this server stamps into the requests it appends as leader (log time)
     * @param metrics   where metrics go; this server's storage and transport are bound to it too
     * @throws IllegalStateException if the log and the newest snapshot do not reach back to the first entry
     */
    public ServerRuntime(NodeId self, Membership bootstrap, RaftConfig config, StateMachine stateMachine,
                         LogStorage storage, SnapshotStorage snapshots, Transport transport, RaftScheduler scheduler,
                         RandomGenerator random, Clock clock, MetricsRegistry metrics) {
        this.self = self;
        this.config = config;
        this.storage = storage;
        this.transport = transport;
        this.scheduler = scheduler;
        this.loop = scheduler.eventLoop();
        this.applierExecutor = scheduler.applier();
        this.snapshots = snapshots;
        this.initialSnapshot = snapshots == null ? null : snapshots.latest().orElse(null);
        this.engine = new RaftEngine(self, bootstrap, config, storage, initialSnapshot, random);
        NodeMetrics nodeMetrics = new NodeMetrics(self, metrics);
        this.telemetry = new Telemetry(self, nodeMetrics, this::status, pendingProposals::get, pendingReads::get);
        storage.bindMetrics(nodeMetrics);
        transport.bindMetrics(nodeMetrics);
        this.applier = new Applier(self, stateMachine, snapshots, bootstrap, this::fatal, telemetry.applyLatency);
        this.loader = new EntryLoader(self, storage, engine, this::post, this::fatal);
        this.forwarder = new Forwarder(self, config, transport::send, random.nextLong() & Long.MAX_VALUE);
        this.readyWaiters = new ReadyWaiters(applierExecutor);
        this.stamper = new RequestStamper(config, clock, applier::logTimeMillis);
        this.sessions = new Sessions(self, config, applierExecutor, this::post, (r, done) -> route(r, done, false),
                engine::leader, engine::membership);
        this.forwarded = new ForwardedRequests(self, config, transport::send, this::post, this::execute);
        if (snapshots != null) {
            applier.snapshotter(new Snapshotter(self, config, snapshots, stateMachine, applier::keelState,
                    scheduler.background(),
                    applierExecutor, initialSnapshot == null ? 0 : initialSnapshot.index(),
                    meta -> post(() -> onSnapshotTaken(meta)), telemetry));
            this.transfers = new SnapshotTransfers(self, config, snapshots, transport, scheduler.background(),
                    this::post, telemetry, SnapshotTransfers.engineHooks(engine));
        } else {
            this.transfers = null;
        }
        this.snapshotIndex = initialSnapshot == null ? 0 : initialSnapshot.index();
        this.soft = engine.softState();
        this.lastLogIndex = engine.log().lastIndex();
        this.firstLogIndex = engine.log().firstIndex();
        this.commitIndex = engine.log().commitIndex();
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------------

    public void start() {
        if (initialSnapshot != null) {
            // Before anything else reaches the applier: later entries follow the snapshot.
            applierExecutor.execute(() -> applier.restore(initialSnapshot));
        }
        telemetry.start();
        transport.start(this);
        ticker = scheduler.scheduleAtFixedRate(config.tickInterval(), () -> post(this::tick));
        Membership m = engine.membership();
        if (m != null) {
            transport.membershipChanged(m);
        }
        log.info("{} started: {}, term {}, log [{}, {}], snapshot {}, {}", self,
                m == null ? "joining (configuration not known yet)" : m, engine.term(),
                engine.log().firstIndex(), engine.log().lastIndex(),
                initialSnapshot == null ? "none" : initialSnapshot, config);
    }

    private void tick() {
        engine.tick();
        forwarder.tick();
        sessions.tick();
        checkReady();
        // Published per tick, not per batch: building the map on every batch would allocate on the hot path.
        matchIndex = engine.role() == Role.LEADER ? engine.matchIndexes() : Map.of();
        telemetry.followers(matchIndex);
        if (transfers != null) {
            transfers.tick();
        }
    }

    /** Takes a snapshot now; completes once it is durable. */
    public CompletableFuture<SnapshotMetadata> snapshot() {
        CompletableFuture<SnapshotMetadata> f = new CompletableFuture<>();
        RuntimeException refused = refuse();
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        applierExecutor.execute(() -> applier.takeSnapshot(f));
        return f;
    }

    private void onSnapshotTaken(SnapshotMetadata meta) {
        if (halted) {
            return;
        }
        engine.snapshotTaken(meta);
        long purgeTo = meta.index() - config.logRetention();
        if (purgeTo > 0) {
            long before = storage.firstIndex();
            storage.purgePrefix(purgeTo);
            if (storage.firstIndex() > before) {
                log.debug("{}: log compacted: first index {} -> {}", self, before, storage.firstIndex());
            }
        }
        firstLogIndex = engine.log().firstIndex();
        snapshotIndex = Math.max(snapshotIndex, meta.index());
    }

    /** Stops the server; pending operations fail. Returns a future completing once the event loop has stopped. */
    public CompletableFuture<Void> close() {
        shutdown(null);
        return stopped;
    }

    private void fatal(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        log.error("{} stops after a fatal error", self, t);
        shutdown(t);
    }

    private void shutdown(Throwable cause) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ticker != null) {
            ticker.cancel();
        }
        // Stop inbound traffic first so that nothing new arrives while we fail what is pending.
        try {
            transport.close();
        } catch (RuntimeException e) {
            log.warn("{}: closing the transport failed", self, e);
        }
        inbox.add(() -> halt(cause));
        scheduleDrain();
    }

    private void halt(Throwable cause) {
        if (halted) {
            return;
        }
        halted = true;
        String why = cause == null ? self + " is closed" : self + " stopped after a fatal error: " + cause;
        for (PendingProposal p : proposals) {
            p.done().accept(Reply.failed(Outcome.INDETERMINATE,
                    why + "; the command was appended and may still be committed"));
        }
        proposals.clear();
        forwarder.failAll(why);
        ServerStoppedException stoppedEx = new ServerStoppedException(why, cause);
        sessions.stopped(stoppedEx);
        readyWaiters.failAll(stoppedEx);
        reads.values().forEach(q -> q.future().completeExceptionally(stoppedEx));
        reads.clear();
        adminRequests.values().forEach(r -> r.accept(Reply.failed(Outcome.STOPPED, why)));
        adminRequests.clear();
        if (transfers != null) {
            transfers.close();
        }
        telemetry.close();
        try {
            storage.close();
        } catch (RuntimeException e) {
            log.warn("{}: closing the storage failed", self, e);
        }
        // Proposals already handed to the applier complete there or fail with it; reads waiting there fail now.
        applierExecutor.execute(() -> {
            applier.failWaitingReads(stoppedEx);
            // Snapshot writes in progress finish on the background thread before the storage closes.
            scheduler.background().execute(() -> {
                if (snapshots != null) {
                    try {
                        snapshots.close();
                    } catch (RuntimeException e) {
                        log.warn("{}: closing the snapshot storage failed", self, e);
                    }
                }
                stopped.complete(null);
            });
        });
        log.info("{} stopped", self);
    }

    public boolean isClosed() {
        return closed.get();
    }

    public Throwable failure() {
        return failure;
    }

    public void addListener(RaftListener listener) {
        listeners.add(listener);
    }

    public void removeListener(RaftListener listener) {
        listeners.remove(listener);
    }

    // ---- operations (any thread) --------------------------------------------------------------------------------

    /** Replicates a command; completes with its result and index. See {@code RaftServer.submitCommitted}. */
    public CompletableFuture<Committed<byte[]>> submitCommitted(byte[] command) {
        return submit(command, r -> new Committed<>(r.index(), r.result()));
    }

    /** Replicates a command; completes with its result. See {@code RaftServer.submit}. */
    public CompletableFuture<byte[]> submit(byte[] command) {
        return submit(command, Reply::result);
    }

    private <T> CompletableFuture<T> submit(byte[] command, java.util.function.Function<Reply, T> ok) {
        CompletableFuture<T> f = new CompletableFuture<>();
        RuntimeException refused = refuse();
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        if (pendingProposals.incrementAndGet() > config.maxPendingProposals()) {
            pendingProposals.decrementAndGet();
            telemetry.rejected(Telemetry.Op.SUBMIT, Telemetry.Reason.BUSY);
            f.completeExceptionally(new ServerBusyException(self + " has " + config.maxPendingProposals()
                    + " proposals pending (maxPendingProposals); retry later"));
            return f;
        }
        Submitted done = new Submitted(System.nanoTime(), reply -> {
            pendingProposals.decrementAndGet();
            complete(f, reply, ok);
        });
        post(() -> route(new ClientRequest.Command(command), done));
        return f;
    }

    /** Completes a caller's future with what {@code reply} stands for. */
    private <T> void complete(CompletableFuture<T> f, Reply reply, java.util.function.Function<Reply, T> ok) {
        if (reply.isOk()) {
            f.complete(ok.apply(reply));
        } else {
            f.completeExceptionally(Outcomes.toException(reply, self, soft.membership()));
        }
    }

    /**
     * Runs a client request wherever it can run: here if this server leads, else at the leader it knows (forwarding),
     * else it fails as not leader. On the event loop; {@code done} runs on the applier thread or the event loop.
     */
    private void route(ClientRequest request, Consumer<Reply> done) {
        route(request, done, true);
    }

    /** As {@link #route(ClientRequest, Consumer)}; {@code hop}: forwarded answers go through the applier thread. */
    private void route(ClientRequest request, Consumer<Reply> done, boolean hop) {
        if (halted) {
            done.accept(Reply.failed(Outcome.STOPPED, self + " is closed"));
            return;
        }
        if (engine.role() == Role.LEADER) {
            execute(request, done);
            return;
        }
        NodeId leader = engine.leader();
        if (leader == null || !config.forwarding()) {
            Reply refused = Reply.notLeader(leader, self + " is not the leader");
            done.accept(request instanceof ClientRequest.Command
                    ? telemetry.refused(Telemetry.Op.SUBMIT, Telemetry.Reason.NOT_LEADER, refused) : refused);
            return;
        }
        // Answers arrive on the event loop; callers' callbacks must not run there.
        forwarder.forward(request, leader, engine.term(),
                hop ? reply -> applierExecutor.execute(() -> done.accept(reply)) : done);
    }

    /** Runs a client request on this server, which leads (or just did); on the event loop. */
    private void execute(ClientRequest request, Consumer<Reply> done) {
        if (halted) {
            done.accept(Reply.failed(Outcome.STOPPED, self + " is closed"));
            return;
        }
        byte[] entry = stamper.entryFor(request);
        if (entry != null) {
            propose(EntryType.REQUEST, entry, done);
        } else if (request instanceof ClientRequest.ChangeMembership c) {
            admin(done, id -> engine.changeMembership(id, c.target(), c.expectedIndex()));
        } else if (request instanceof ClientRequest.TransferLeadership t) {
            admin(done, id -> engine.transferLeadership(id, t.target()));
        } else {
            done.accept(Reply.failed(Outcome.UNSUPPORTED, self + " cannot run " + request));
        }
    }

    public CompletableFuture<byte[]> read(byte[] query) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        RuntimeException refused = refuse();
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        if (pendingReads.incrementAndGet() > config.maxPendingProposals()) {
            pendingReads.decrementAndGet();
            telemetry.rejected(Telemetry.Op.READ, Telemetry.Reason.BUSY);
            f.completeExceptionally(new ServerBusyException(self + " has " + config.maxPendingProposals()
                    + " reads pending; retry later"));
            return f;
        }
        f.whenComplete((r, e) -> pendingReads.decrementAndGet());
        long id = readIds.incrementAndGet();
        post(() -> {
            if (halted) {
                f.completeExceptionally(new ServerStoppedException(self + " is closed"));
                return;
            }
            reads.put(id, new PendingQuery(query, f));
            engine.read(id);
        });
        return f;
    }

    private RuntimeException refuse() {
        if (!closed.get()) {
            return null;
        }
        Throwable t = failure;
        return t == null ? new ServerStoppedException(self + " is closed")
                : new ServerStoppedException(self + " stopped after a fatal error", t);
    }

    private void propose(EntryType type, byte[] data, Consumer<Reply> done) {
        ProposeResult r = engine.propose(type, data);
        switch (r.outcome()) {
            case APPENDED -> proposals.add(new PendingProposal(r.index(), r.term(), done,
                    done instanceof Submitted s ? s.nanos() : System.nanoTime()));
            case NOT_LEADER -> done.accept(telemetry.refused(Telemetry.Op.SUBMIT, Telemetry.Reason.NOT_LEADER,
                    Reply.notLeader(r.leader(), self + " is not the leader")));
            case BUSY -> done.accept(telemetry.refused(Telemetry.Op.SUBMIT, Telemetry.Reason.BUSY,
                    Reply.failed(Outcome.BUSY, self + " has " + config.maxPendingProposals()
                            + " uncommitted entries (maxPendingProposals) or is handing leadership over; retry later")));
        }
    }

    public ServerStatus status() {
        SoftState s = soft;
        long snapshot = snapshotIndex;
        long first = firstLogIndex;
        return new ServerStatus(self, s.role(), s.term(), s.leader(), commitIndex, applier.appliedIndex(),
                first, lastLogIndex, snapshot, s.membership(), s.membershipIndex(), membershipChangeInProgress,
                s.role() == Role.LEADER ? matchIndex : Map.of());
    }

    /** Completes once a leader is known and this server has caught up; see {@code RaftServer.whenReady}. */
    public CompletableFuture<ServerStatus> whenReady() {
        CompletableFuture<ServerStatus> f = new CompletableFuture<>();
        RuntimeException refused = refuse();
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        post(() -> {
            if (halted) {
                f.completeExceptionally(new ServerStoppedException(self + " is closed"));
                return;
            }
            readyWaiters.add(f);
            checkReady();
        });
        return f;
    }

    /** Starts readiness waiters' read-index round, completes those caught up; after each batch and each tick. */
    private void checkReady() {
        if (readyWaiters.isEmpty()) {
            return;
        }
        if (engine.leader() != null && readyWaiters.needsRound()) {
            long id = readIds.incrementAndGet();
            readyWaiters.started(id);
            engine.read(id);
        }
        readyWaiters.check(engine.leader() != null, applier.appliedIndex(), this::status);
    }

    /** Opens a client session; see {@code RaftServer.openSession}. */
    public CompletableFuture<dev.keel.raft.ClientSession> openSession() {
        CompletableFuture<dev.keel.raft.ClientSession> f = new CompletableFuture<>();
        RuntimeException refused = refuse();
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        post(() -> {
            if (halted) {
                f.completeExceptionally(new ServerStoppedException(self + " is closed"));
                return;
            }
            sessions.open(f);
        });
        return f;
    }

    /** Moves the cluster to the given voters and learners; see {@code RaftServer.changeMembership}. */
    public CompletableFuture<Membership> changeMembership(Membership target, long expectedIndex) {
        CompletableFuture<Membership> f = new CompletableFuture<>();
        return request(f, new ClientRequest.ChangeMembership(target, expectedIndex),
                r -> Membership.decode(r.result()));
    }

    /** Hands leadership to {@code target}; see {@code RaftServer.transferLeadership}. */
    public CompletableFuture<Void> transferLeadership(NodeId target) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        return request(f, new ClientRequest.TransferLeadership(target), r -> null);
    }

    /** Routes {@code request} from any thread; {@code f} completes with what {@code ok} makes of its success. */
    private <T> CompletableFuture<T> request(CompletableFuture<T> f, ClientRequest request,
                                             java.util.function.Function<Reply, T> ok) {
        RuntimeException refused = refuse();
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        post(() -> route(request, reply -> complete(f, reply, ok)));
        return f;
    }

    /** Registers an administrative request under a new id and hands that id to the engine; on the event loop. */
    private void admin(Consumer<Reply> done, LongConsumer start) {
        long id = readIds.incrementAndGet();
        adminRequests.put(id, done);
        start.accept(id);
    }

    private void onAdminResult(AdminResult r) {
        Consumer<Reply> done = adminRequests.remove(r.requestId());
        if (done == null) {
            return;
        }
        done.accept(switch (r.outcome()) {
            case SUCCESS -> r.membership() == null ? Reply.ok(0, new byte[0])
                    : Reply.ok(r.membershipIndex(), r.membership().encode());
            case NOT_LEADER -> Reply.notLeader(engine.leader(), r.message());
            case BUSY -> Reply.failed(Outcome.BUSY, r.message());
            case INDETERMINATE -> Reply.failed(Outcome.INDETERMINATE, r.message());
            case CONFLICT -> Reply.failed(Outcome.CONFLICT, r.message());
            case INVALID -> Reply.failed(Outcome.INVALID, r.message());
            case TIMEOUT -> Reply.failed(Outcome.TIMEOUT, r.message());
        });
    }

    // ---- transport callbacks (any thread) -----------------------------------------------------------------------

    @Override
    public void onMessage(RaftMessage message) {
        if (closed.get()) {
            return;
        }
        if (message instanceof ForwardRequest m) {
            post(() -> forwarded.onRequest(m, engine.role() == Role.LEADER, engine.term(), engine.leader(),
                    engine.membership()));
        } else if (message instanceof ForwardResponse m) {
            post(() -> forwarder.onResponse(m));
        } else {
            post(() -> engine.step(message));
        }
    }

    @Override
    public void onPeerUnreachable(NodeId peer) {
        if (!closed.get()) {
            post(() -> {
                engine.peerUnreachable(peer);
                forwarder.onPeerUnreachable(peer);
            });
        }
    }

    // ---- the event loop -----------------------------------------------------------------------------------------

    private void post(Runnable task) {
        inbox.add(task);
        scheduleDrain();
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drain);
            } catch (RuntimeException e) {
                // The executor is shut down: the server is stopping and the task has nowhere to run.
                drainScheduled.set(false);
                log.debug("{}: event loop rejected work", self, e);
            }
        }
    }

    private void drain() {
        drainScheduled.set(false);
        try {
            Runnable task;
            while ((task = inbox.poll()) != null) {
                if (halted) {
                    continue;
                }
                task.run();
            }
            if (!halted) {
                processReady();
            }
        } catch (RuntimeException | Error e) {
            fatal(e);
            // Run the halt queued by fatal() now: nothing else may touch the engine after an invariant broke.
            Runnable task;
            while ((task = inbox.poll()) != null) {
                if (!halted) {
                    try {
                        task.run();
                    } catch (RuntimeException ignored) {
                        // Already stopping.
                    }
                }
            }
        }
    }

    private void processReady() {
        while (engine.hasReady()) {
            carryOut(engine.ready());
        }
        lastLogIndex = engine.log().lastIndex();
        firstLogIndex = engine.log().firstIndex();
        commitIndex = engine.log().commitIndex();
        membershipChangeInProgress = engine.membershipChangeInProgress();
        telemetry.afterBatch(engine.counters(), soft);
        checkReady();
    }

    private void carryOut(Ready rd) {
        CompletableFuture<Void> write = ReadyLogWrite.issue(storage, rd);
        long lastIndex = 0;
        long lastTerm = 0;
        if (!rd.entries().isEmpty()) {
            LogEntry last = rd.entries().get(rd.entries().size() - 1);
            lastIndex = last.index();
            lastTerm = last.term();
        }
        for (RaftMessage m : rd.messages()) {
            telemetry.sending(m);
            transport.send(m);
        }
        if (write != null) {
            PendingWrite w = new PendingWrite(lastIndex, lastTerm, rd.persistBoundMessages());
            writes.add(w);
            write.whenComplete((v, e) -> post(() -> onWriteDone(w, e)));
        } else if (!writes.isEmpty()) {
            writes.peekLast().messages.addAll(rd.persistBoundMessages());
        } else {
            rd.persistBoundMessages().forEach(transport::send);
        }
        SnapshotMetadata restore = rd.snapshots().restore();
        if (restore != null) {
            firstLogIndex = engine.log().firstIndex();
            snapshotIndex = Math.max(snapshotIndex, restore.index());
            applierExecutor.execute(() -> applier.restore(restore));
        }
        if (!rd.committedEntries().isEmpty()) {
            dispatchCommitted(rd.committedEntries());
        }
        loader.start(rd.loads());
        if (transfers != null && !rd.snapshots().isEmpty()) {
            transfers.handle(rd.snapshots());
        }
        for (ReadState rs : rd.readStates()) {
            PendingQuery q = reads.remove(rs.requestId());
            if (q != null) {
                long readIndex = rs.readIndex();
                applierExecutor.execute(() -> applier.read(readIndex, q));
            } else {
                readyWaiters.answered(rs.requestId(), rs.readIndex());
            }
        }
        for (long id : rd.failedReads()) {
            PendingQuery q = reads.remove(id);
            if (q == null) {
                readyWaiters.failed(id);
            } else {
                telemetry.rejected(Telemetry.Op.READ, Telemetry.Reason.NOT_LEADER);
                q.future().completeExceptionally(new NotLeaderException(self,
                        Outcomes.member(engine.membership(), engine.leader())));
            }
        }
        if (rd.softState() != null) {
            onSoftStateChange(rd.softState());
        }
        // After the role change: whoever sees a transfer complete must see this server's new role in status().
        for (AdminResult r : rd.adminResults()) {
            onAdminResult(r);
        }
    }

    private void dispatchCommitted(List<LogEntry> entries) {
        long last = entries.get(entries.size() - 1).index();
        List<PendingProposal> mine = List.of();
        if (!proposals.isEmpty() && proposals.peek().index() <= last) {
            mine = new ArrayList<>();
            while (!proposals.isEmpty() && proposals.peek().index() <= last) {
                mine.add(proposals.poll());
            }
        }
        List<PendingProposal> batch = mine;
        if (!batch.isEmpty()) {
            telemetry.committed(batch);
        }
        applierExecutor.execute(() -> applier.apply(entries, batch));
    }

    private void onSoftStateChange(SoftState s) {
        SoftState previous = soft;
        soft = s;
        telemetry.softStateChanged(previous, s);
        if (s.leader() != null) {
            sessions.leaderLearned();
        }
        if (s.membership() != null && (s.membershipIndex() != previous.membershipIndex()
                || !s.membership().equals(previous.membership()))) {
            log.info("{}: configuration {} (entry {})", self, s.membership(), s.membershipIndex());
            transport.membershipChanged(s.membership());
        }
        if (transfers != null && s.role() != Role.LEADER) {
            transfers.stopSending();
        }
        if (previous.role() == Role.LEADER && (s.role() != Role.LEADER || s.term() != previous.term())) {
            // Entries not yet committed may still be committed by the next leader, or be replaced: we cannot tell.
            for (PendingProposal p : proposals) {
                p.done().accept(Reply.failed(Outcome.INDETERMINATE, self + " lost leadership of term "
                        + previous.term() + " before entry " + p.index() + " was known to be committed"));
            }
            proposals.clear();
        }
        // Also when this server became leader itself: what it forwarded to the old leader gets no answer now.
        forwarder.onLeaderChange(s.leader(), s.term());
        if (listeners.isEmpty()) {
            return;
        }
        commitIndex = engine.log().commitIndex();
        lastLogIndex = engine.log().lastIndex();
        ServerStatus status = status();
        for (RaftListener l : listeners) {
            try {
                l.onStateChange(status);
            } catch (RuntimeException e) {
                log.warn("{}: listener {} failed", self, l, e);
            }
        }
    }

    private void onWriteDone(PendingWrite w, Throwable error) {
        if (error != null) {
            fatal(new dev.keel.raft.exception.StorageException(self + ": a log write failed; stopping (fail-stop)",
                    error));
            return;
        }
        w.done = true;
        while (!writes.isEmpty() && writes.peek().done) {
            PendingWrite head = writes.poll();
            head.messages.forEach(transport::send);
            if (head.lastIndex > 0) {
                engine.persisted(head.lastIndex, head.lastTerm);
            }
        }
    }
}
