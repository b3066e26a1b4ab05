package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.StorageException;
import dev.keel.raft.internal.engine.RaftEngine;
import dev.keel.raft.internal.engine.ReadState;
import dev.keel.raft.internal.engine.SnapshotWork;
import dev.keel.raft.internal.engine.SoftState;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Where the outputs of a {@link dev.keel.raft.internal.engine.Ready} go in a running server, once the
 * {@link ReadyExecutor} has ordered them: messages to the transport, entries and snapshots to the applier thread,
 * answers to the {@link RequestRegistry}, role changes to the status, the forwarder, the sessions and the listeners.
 * Also the end of each event-loop batch: every Ready carried out, the status published once.
 *
 * <p>Confined to the event loop.
 */
final class ReadyOutputs implements ReadyExecutor.Effects {
    private static final Logger log = LoggerFactory.getLogger(ReadyOutputs.class);

    private final NodeId self;
    private final RaftEngine engine;
    private final Transport transport;
    private final Telemetry telemetry;
    private final Applier applier;
    private final Executor applierThread;
    private final RequestRegistry registry;
    private final ReadyWaiters readyWaiters;
    private final StatusPublisher status;
    private final Forwarder forwarder;
    private final Sessions sessions;
    private final SnapshotDisk transfers;
    private final EntryLoader loader;
    private final Consumer<Throwable> fatal;

    /** @param transfers the snapshot transfers, or {@code null} when the server runs without snapshots */
    ReadyOutputs(NodeId self, RaftEngine engine, Transport transport, Telemetry telemetry, Applier applier,
                 Executor applierThread, RequestRegistry registry, ReadyWaiters readyWaiters, StatusPublisher status,
                 Forwarder forwarder, Sessions sessions, SnapshotDisk transfers, EntryLoader loader,
                 Consumer<Throwable> fatal) {
        this.self = self;
        this.engine = engine;
        this.transport = transport;
        this.telemetry = telemetry;
        this.applier = applier;
        this.applierThread = applierThread;
        this.registry = registry;
        this.readyWaiters = readyWaiters;
        this.status = status;
        this.forwarder = forwarder;
        this.sessions = sessions;
        this.transfers = transfers;
        this.loader = loader;
        this.fatal = fatal;
    }

    /** Ends an event-loop batch: carries out every Ready the batch produced, publishes the status once. */
    void afterBatch(ReadyExecutor executor) {
        while (engine.hasReady()) {
            executor.execute(engine.ready());
        }
        publish();
        telemetry.afterBatch(engine.counters(), status.soft());
        checkReady();
    }

    /** Swaps in a status of the engine as it is now. */
    void publish() {
        status.publish(engine.log().commitIndex(), engine.log().firstIndex(), engine.log().lastIndex(),
                engine.membershipChangeInProgress());
    }

    /** Starts readiness waiters' read-index round, completes those caught up; after each batch and each tick. */
    void checkReady() {
        if (readyWaiters.isEmpty()) {
            return;
        }
        if (engine.leader() != null && readyWaiters.needsRound()) {
            long id = registry.nextId();
            readyWaiters.started(id);
            engine.read(id);
        }
        readyWaiters.check(engine.leader() != null, applier.appliedIndex(), status::status);
    }

    @Override
    public void send(RaftMessage message) {
        telemetry.sending(message);
        transport.send(message);
    }

    @Override
    public void persisted(long index, long term) {
        engine.persisted(index, term);
    }

    @Override
    public void writeFailed(Throwable error) {
        fatal.accept(new StorageException(self + ": a log write failed; stopping (fail-stop)", error));
    }

    @Override
    public void restore(SnapshotMetadata snapshot) {
        status.snapshotIndex(snapshot.index());
        publish();
        applierThread.execute(() -> applier.restore(snapshot));
    }

    @Override
    public void committed(List<LogEntry> entries) {
        // Published first: no status may show these entries applied but not committed.
        publish();
        List<PendingProposal> mine = registry.committed(entries.get(entries.size() - 1).index());
        if (!mine.isEmpty()) {
            telemetry.committed(mine);
        }
        applierThread.execute(() -> applier.apply(entries, mine));
    }

    @Override
    public void loads(List<EntryLoad> loads) {
        loader.start(loads);
    }

    @Override
    public void snapshotWork(SnapshotWork work) {
        if (transfers != null) {
            transfers.handle(work.tasks());
        }
    }

    @Override
    public void reads(List<ReadState> readStates, List<Long> failedReads) {
        for (ReadState rs : readStates) {
            PendingQuery q = registry.takeRead(rs.requestId());
            if (q != null) {
                long readIndex = rs.readIndex();
                applierThread.execute(() -> applier.read(readIndex, q));
            } else {
                readyWaiters.answered(rs.requestId(), rs.readIndex());
            }
        }
        for (long id : failedReads) {
            PendingQuery q = registry.takeRead(id);
            if (q == null) {
                readyWaiters.failed(id);
            } else {
                telemetry.rejected(Telemetry.Op.READ, Telemetry.Reason.NOT_LEADER);
                q.future().completeExceptionally(new NotLeaderException(self,
                        Outcomes.member(engine.membership(), engine.leader())));
            }
        }
    }

    @Override
    public void softState(SoftState s) {
        SoftState previous = status.softStateChanged(s);
        telemetry.softStateChanged(previous, s);
        if (s.leader() != null) {
            sessions.leaderLearned();
        }
        if (s.membership() != null && (s.membershipIndex() != previous.membershipIndex()
                || !s.membership().equals(previous.membership()))) {
            log.info("{}: configuration {} (entry {})", self, s.membership(), s.membershipIndex());
            transport.membershipChanged(s.membership());
        }
        if (previous.role() == Role.LEADER && (s.role() != Role.LEADER || s.term() != previous.term())) {
            registry.leadershipLost(previous.term());
        }
        // Also when this server became leader itself: what it forwarded to the old leader gets no answer now.
        forwarder.onLeaderChange(s.leader(), s.term());
        publish();
        status.notifyListeners();
    }

    @Override
    public void adminResults(List<AdminResult> results) {
        for (AdminResult r : results) {
            registry.adminResult(r, engine.leader());
        }
    }
}
