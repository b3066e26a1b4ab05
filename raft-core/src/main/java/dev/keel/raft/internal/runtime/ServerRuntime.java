package dev.keel.raft.internal.runtime;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftListener;
import dev.keel.raft.Role;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.internal.engine.RaftEngine;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

/**
 * Drives one {@link RaftEngine} for {@code RaftServer}: wires the parts together, starts and stops them, and turns
 * the server's operations into tasks for the {@link EventLoop} (which owns every threading rule and the overload
 * rule). Where a request runs is the {@link RequestRouter}'s decision, what waits for an answer the
 * {@link RequestRegistry}'s; each Ready is carried out by the {@link ReadyExecutor} into {@link ReadyOutputs}; the
 * {@link StatusPublisher} holds the status.
 */
public final class ServerRuntime implements InboundHandler {
    private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);

    private final NodeId self;
    private final RaftConfig config;
    private final LogStorage storage;
    private final Transport transport;
    private final RaftScheduler scheduler;
    private final Executor applierThread;
    private final RaftEngine engine;
    private final Applier applier;
    private final SnapshotStorage snapshots;
    private final SnapshotMetadata initialSnapshot;
    private final SnapshotDisk transfers;
    private final Telemetry telemetry;
    private final EventLoop loop;
    private final RequestRegistry registry;
    private final StatusPublisher status;
    private final ReadyOutputs outputs;
    private final ReadyExecutor executor;
    private final Forwarder forwarder;
    private final ForwardedRequests forwarded;
    private final ReadyWaiters readyWaiters;
    private final Sessions sessions;
    private final ClientOperations operations;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile RaftScheduler.Cancellable ticker;
    private volatile Throwable failure;

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
        this.applierThread = scheduler.applier();
        this.snapshots = snapshots;
        this.initialSnapshot = snapshots == null ? null : snapshots.latest().orElse(null);
        this.engine = new RaftEngine(self, bootstrap, config, storage, initialSnapshot, random);
        this.registry = new RequestRegistry(self, config.maxPendingProposals(), config.maxPendingReads());
        NodeMetrics nodeMetrics = new NodeMetrics(self, metrics);
        this.telemetry = new Telemetry(self, nodeMetrics, this::status, registry::pendingSubmits,
                registry::pendingReads);
        storage.bindMetrics(nodeMetrics);
        transport.bindMetrics(nodeMetrics);
        this.applier = new Applier(self, stateMachine, snapshots, bootstrap, this::fatal, telemetry.applyLatency);
        this.status = new StatusPublisher(self, applier::appliedIndex, engine.softState(),
                initialSnapshot == null ? 0 : initialSnapshot.index(), engine.log().commitIndex(),
                engine.log().firstIndex(), engine.log().lastIndex());
        this.loop = new EventLoop(self.toString(), scheduler.eventLoop(), config.inboxCapacity(),
                this::afterBatch, this::fatal, this::stoppedError, telemetry.inboxDropped::increment);
        this.forwarder = new Forwarder(self, config, transport::send, random.nextLong() & Long.MAX_VALUE);
        this.readyWaiters = new ReadyWaiters(applierThread);
        RequestRouter router = new RequestRouter(self, config, engine, registry, forwarder,
                new RequestStamper(config, clock, applier::logTimeMillis), telemetry, applierThread);
        this.sessions = new Sessions(self, config, applierThread, loop, (r, done) -> router.route(r, done, false),
                engine::leader, engine::membership);
        this.forwarded = new ForwardedRequests(self, config, transport::send, loop::post, router::execute);
        if (snapshots != null) {
            applier.snapshotter(new Snapshotter(self, config, snapshots, stateMachine, applier::keelState,
                    scheduler.background(), applierThread, initialSnapshot == null ? 0 : initialSnapshot.index(),
                    meta -> loop.post(() -> onSnapshotTaken(meta)), telemetry));
            this.transfers = new SnapshotDisk(self, snapshots, scheduler.background(), loop::post, telemetry,
                    SnapshotDisk.engineHooks(engine));
        } else {
            this.transfers = null;
        }
        this.outputs = new ReadyOutputs(self, engine, transport, telemetry, applier, applierThread, registry,
                readyWaiters, status, forwarder, sessions, transfers,
                new EntryLoader(self, storage, engine, loop::post, this::fatal), this::fatal);
        this.executor = new ReadyExecutor(storage, outputs, loop::post);
        this.operations = new ClientOperations(self, loop, registry, router, readyWaiters, outputs, sessions,
                telemetry, status, f -> applierThread.execute(() -> applier.takeSnapshot(f)), closed::get,
                this::stoppedError);
    }

    /** What callers ask of this server: submits, reads and the rest (any thread). */
    public ClientOperations operations() {
        return operations;
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------------

    /** Starts the server: restores its snapshot, opens the transport, starts ticking. */
    public void start() {
        if (initialSnapshot != null) {
            // Before anything else reaches the applier: later entries follow the snapshot.
            applierThread.execute(() -> applier.restore(initialSnapshot));
        }
        telemetry.start();
        transport.start(this);
        ticker = scheduler.scheduleAtFixedRate(config.tickInterval(), () -> loop.tick(this::tick));
        Membership m = engine.membership();
        if (m != null) {
            transport.membershipChanged(m);
        }
        log.info("{} started: {}, term {}, log [{}, {}], snapshot {}, {}", self,
                m == null ? "joining (configuration not known yet)" : m, engine.term(),
                engine.log().firstIndex(), engine.log().lastIndex(),
                initialSnapshot == null ? "none" : initialSnapshot, config);
    }

    private void afterBatch() {
        outputs.afterBatch(executor);
    }

    private void tick() {
        engine.tick();
        forwarder.tick();
        sessions.tick();
        outputs.checkReady();
        Map<NodeId, Long> matchIndex = engine.role() == Role.LEADER ? engine.matchIndexes() : Map.of();
        status.matchIndex(matchIndex);
        telemetry.followers(matchIndex);
    }

    private void onSnapshotTaken(SnapshotMetadata meta) {
        engine.snapshotTaken(meta);
        long purgeTo = meta.index() - config.logRetention();
        if (purgeTo > 0) {
            long before = storage.firstIndex();
            storage.purgePrefix(purgeTo);
            if (storage.firstIndex() > before) {
                log.debug("{}: log compacted: first index {} -> {}", self, before, storage.firstIndex());
            }
        }
        status.snapshotIndex(meta.index());
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
        loop.stop(() -> halt(cause));
    }

    /** The event loop's last task. */
    private void halt(Throwable cause) {
        String why = cause == null ? self + " is closed" : self + " stopped after a fatal error: " + cause;
        ServerStoppedException stoppedEx = new ServerStoppedException(why, cause);
        registry.failAll(why, stoppedEx);
        forwarder.failAll(why);
        sessions.stopped(stoppedEx);
        readyWaiters.failAll(stoppedEx);
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
        applierThread.execute(() -> {
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

    /** Whether {@link #close} was called or a fatal error stopped the server. */
    public boolean isClosed() {
        return closed.get();
    }

    /** The error that stopped the server, or {@code null}. */
    public Throwable failure() {
        return failure;
    }

    /** Adds a listener, called on the event loop with the status after each role, term or leader change. */
    public void addListener(RaftListener listener) {
        status.addListener(listener);
    }

    /** Removes a listener added with {@link #addListener}. */
    public void removeListener(RaftListener listener) {
        status.removeListener(listener);
    }

    /** The status the event loop last published (applied index: as of now, never past its commit index). */
    public ServerStatus status() {
        return status.status();
    }

    private RuntimeException stoppedError() {
        Throwable t = failure;
        return t == null ? new ServerStoppedException(self + " is closed")
                : new ServerStoppedException(self + " stopped after a fatal error", t);
    }

    // ---- transport callbacks (any thread): inbound messages, dropped when the inbox is full -----------------------

    @Override
    public void onMessage(RaftMessage message) {
        if (message instanceof ForwardRequest m) {
            loop.deliver(() -> forwarded.onRequest(m, engine.role() == Role.LEADER, engine.term(), engine.leader(),
                    engine.membership()));
        } else if (message instanceof ForwardResponse m) {
            loop.deliver(() -> forwarder.onResponse(m));
        } else {
            loop.deliver(() -> engine.step(message));
        }
    }

    @Override
    public void onPeerUnreachable(NodeId peer) {
        loop.deliver(() -> {
            engine.peerUnreachable(peer);
            forwarder.onPeerUnreachable(peer);
        });
    }
}
