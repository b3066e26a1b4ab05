package dev.keel.raft.internal.runtime;

import dev.keel.raft.message.ForwardResponse.Outcome;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.statemachine.ApplyContext;
import dev.keel.raft.statemachine.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Runs on the applier thread: feeds committed entries to the state machine in log order, completes the futures of
 * the commands this server proposed, and runs reads once the state machine has caught up with their read index.
 */
final class Applier {
    private static final Logger log = LoggerFactory.getLogger(Applier.class);

    private final NodeId self;
    private final StateMachine stateMachine;
    private final Consumer<Throwable> fatal;
    // Ordered by read index: read indexes from different leaders' answers may arrive out of order.
    private final PriorityQueue<WaitingRead> waitingReads =
            new PriorityQueue<>(Comparator.comparingLong(WaitingRead::readIndex));
    private final SnapshotStorage snapshots;
    private Snapshotter snapshotter;
    private volatile long appliedIndex;
    private long appliedTerm;
    private Membership appliedMembership;
    private long appliedMembershipIndex;
    /** The log time of the last applied request; never decreases (see ApplyContext). */
    private long logTimeMillis;
    /** {@link #logTimeMillis}, for the event loop, which stamps new requests no earlier than it. */
    private volatile long publishedLogTime;
    private final SessionTable sessions = new SessionTable();
    private boolean failed;

    private record WaitingRead(long readIndex, PendingQuery query) {
    }

    /**
     * @param bootstrap the configuration before any entry is applied (the initial one), or {@code null}
     */
    Applier(NodeId self, StateMachine stateMachine, SnapshotStorage snapshots, Membership bootstrap,
            Consumer<Throwable> fatal) {
        this.self = self;
        this.stateMachine = stateMachine;
        this.snapshots = snapshots;
        this.appliedMembership = bootstrap;
        this.fatal = fatal;
    }

    /** The configuration as of the last applied entry, and the index that introduced it: what a snapshot records. */
    Membership appliedMembership() {
        return appliedMembership;
    }

    long appliedMembershipIndex() {
        return appliedMembershipIndex;
    }

    /** Takes snapshots from now on; set before the applier runs anything. */
    void snapshotter(Snapshotter value) {
        this.snapshotter = value;
    }

    /**
     * Replaces the state machine's state with a snapshot (at start, or one installed from the leader). Entries
     * applied next follow it.
     */
    void restore(SnapshotMetadata snapshot) {
        if (failed) {
            return;
        }
        long started = System.nanoTime();
        KeelState keel;
        try (InputStream in = snapshots.open(snapshot, 0)) {
            BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
            keel = SnapshotBody.readHeader(buffered);
            stateMachine.restoreSnapshot(buffered);
        } catch (Exception | Error e) {
            fail(new IllegalStateException(self + ": restoring the state machine from " + snapshot
                    + " failed; stopping, since its state is now unknown", e));
            return;
        }
        log.info("{}: state machine restored from {} in {} ms", self, snapshot,
                (System.nanoTime() - started) / 1_000_000);
        appliedIndex = snapshot.index();
        appliedTerm = snapshot.term();
        appliedMembership = snapshot.membership();
        appliedMembershipIndex = snapshot.membershipIndex();
        logTimeMillis = keel.logTimeMillis();
        publishedLogTime = logTimeMillis;
        sessions.restore(keel.sessions());
        if (snapshotter != null) {
            snapshotter.restored(snapshot.index());
        }
        serveReads();
    }

    /** Takes a snapshot now; {@code result} completes once it is durable. */
    void takeSnapshot(CompletableFuture<SnapshotMetadata> result) {
        if (snapshotter == null) {
            result.completeExceptionally(new IllegalStateException(self
                    + " has no SnapshotStorage: configure one with RaftServer.Builder.snapshotStorage"));
        } else if (failed) {
            result.completeExceptionally(new IllegalStateException(self + " has stopped"));
        } else {
            snapshotter.takeNow(appliedIndex, appliedTerm, appliedMembership, appliedMembershipIndex, result);
        }
    }

    long appliedIndex() {
        return appliedIndex;
    }

    /** The log time of the last applied request; any thread. */
    long logTimeMillis() {
        return publishedLogTime;
    }

    /** Keel's part of the state as of the last applied entry, for a snapshot taken now (applier thread). */
    KeelState keelState() {
        return new KeelState(logTimeMillis, sessions.freeze());
    }

    /** Applies a batch; {@code proposals} are this server's pending commands among them, in index order. */
    void apply(List<LogEntry> entries, List<PendingProposal> proposals) {
        if (failed) {
            return;
        }
        int p = 0;
        for (LogEntry e : entries) {
            if (e.index() != appliedIndex + 1) {
                fail(new IllegalStateException(self + ": entry " + e.index() + " handed to the state machine after "
                        + appliedIndex + ": entries must be applied in order, once each"));
                return;
            }
            Reply reply = null;
            if (e.type() == EntryType.CONFIGURATION) {
                appliedMembership = Membership.decode(e.data());
                appliedMembershipIndex = e.index();
            } else if (e.type() == EntryType.COMMAND) {
                byte[] result = applyCommand(e.index(), e.data());
                if (result == null) {
                    return;
                }
                reply = Reply.ok(e.index(), result);
            } else if (e.type() == EntryType.REQUEST) {
                reply = applyRequest(e.index(), e.data());
                if (reply == null) {
                    return;
                }
            }
            appliedIndex = e.index();
            appliedTerm = e.term();
            if (snapshotter != null) {
                snapshotter.applied(e.sizeInBytes());
            }
            while (p < proposals.size() && proposals.get(p).index() <= e.index()) {
                PendingProposal pp = proposals.get(p++);
                if (pp.index() != e.index() || pp.term() != e.term()) {
                    // Another leader's entry took this index: ours was never committed and never will be.
                    pp.done().accept(Reply.notLeader(null, self + " lost leadership before entry " + pp.index()
                            + " was committed; another leader's entry took its place"));
                } else {
                    pp.done().accept(reply != null ? reply : Reply.failed(Outcome.UNSUPPORTED, "entry " + e.index()
                            + " is not a client request"));
                }
            }
        }
        serveReads();
        if (snapshotter != null) {
            snapshotter.maybeTake(appliedIndex, appliedTerm, appliedMembership, appliedMembershipIndex);
        }
    }

    /**
     * Applies a client request: Keel's session bookkeeping first, then, if a command is due, the state machine.
     *
     * @return the outcome for the proposer; {@code null} if the state machine failed (the server is stopping)
     */
    private Reply applyRequest(long index, byte[] data) {
        RequestEntry r;
        try {
            r = RequestEntry.decode(data);
        } catch (IllegalArgumentException bad) {
            // Every replica holds the same bytes and skips them alike.
            log.warn("{}: skipping request entry {}: {}", self, index, bad.getMessage());
            return Reply.failed(Outcome.UNSUPPORTED, "entry " + index + " could not be read as a request ("
                    + bad.getMessage() + "); nothing was applied");
        }
        advanceLogTime(r.logTimeMillis());
        int expired = sessions.expire(logTimeMillis);
        if (expired > 0) {
            log.debug("{}: {} sessions expired at log time {} (entry {})", self, expired, logTimeMillis, index);
        }
        switch (r.kind()) {
            case COMMAND -> {
                byte[] result = applyCommand(index, r.payload());
                return result == null ? null : Reply.ok(index, result);
            }
            case OPEN_SESSION -> {
                if (!sessions.open(index, r.limits(), logTimeMillis)) {
                    return Reply.failed(Outcome.SESSION_LIMIT, sessions.size() + " sessions are open, as many as "
                            + "the leader allows (maxSessions " + r.limits().maxSessions() + "); close some, or let "
                            + "idle ones expire");
                }
                return Reply.ok(index, new byte[0]);
            }
            case SESSION_COMMAND -> {
                SessionTable.Check check = sessions.check(r.sessionId(), r.sequence(), r.acknowledged(),
                        logTimeMillis);
                switch (check.verdict()) {
                    case APPLY -> {
                        byte[] result = applyCommand(index, r.payload());
                        if (result == null) {
                            return null;
                        }
                        sessions.record(r.sessionId(), r.sequence(), index, result);
                        return Reply.ok(index, result);
                    }
                    case DUPLICATE -> {
                        return Reply.ok(check.cached().index(), check.cached().result());
                    }
                    case EXPIRED -> {
                        return Reply.failed(Outcome.SESSION_EXPIRED, check.detail());
                    }
                    case BAD_SEQUENCE -> {
                        return Reply.failed(Outcome.SESSION_SEQUENCE, check.detail());
                    }
                    case OUT_OF_ORDER -> {
                        return Reply.failed(Outcome.SESSION_OUT_OF_ORDER, check.detail());
                    }
                    case FULL -> {
                        return Reply.failed(Outcome.SESSION_FULL, check.detail());
                    }
                    default -> throw new AssertionError(check.verdict());
                }
            }
            case KEEP_ALIVE -> {
                return sessions.keepAlive(r.sessionId(), r.acknowledged(), logTimeMillis) ? Reply.ok(index, new byte[0])
                        : Reply.failed(Outcome.SESSION_EXPIRED, "session " + r.sessionId()
                        + " has expired or was never opened");
            }
            case CLOSE_SESSION -> {
                sessions.close(r.sessionId());
                return Reply.ok(index, new byte[0]);
            }
            default -> throw new AssertionError(r.kind());
        }
    }

    /** Log time only moves forward: a stamp behind it (a new leader's clock is behind) leaves it where it is. */
    private void advanceLogTime(long stamp) {
        if (stamp > logTimeMillis) {
            logTimeMillis = stamp;
            publishedLogTime = stamp;
        }
    }

    /** Applies one command; {@code null} if the state machine failed, which stops the server. */
    private byte[] applyCommand(long index, byte[] command) {
        try {
            byte[] result = stateMachine.apply(ApplyContext.of(index, logTimeMillis), command);
            if (result == null) {
                throw new NullPointerException("StateMachine.apply returned null for index " + index);
            }
            return result;
        } catch (Throwable t) {
            fail(new IllegalStateException(self + ": the state machine failed to apply entry " + index
                    + "; stopping, since replicas must not diverge", t));
            return null;
        }
    }

    /** Runs {@code query} once entries up to {@code readIndex} are applied. */
    void read(long readIndex, PendingQuery query) {
        if (failed) {
            return;
        }
        waitingReads.add(new WaitingRead(readIndex, query));
        serveReads();
    }

    private void serveReads() {
        while (!waitingReads.isEmpty() && waitingReads.peek().readIndex() <= appliedIndex) {
            PendingQuery q = waitingReads.poll().query();
            try {
                byte[] result = stateMachine.query(q.query());
                if (result == null) {
                    throw new NullPointerException("StateMachine.query returned null");
                }
                q.future().complete(result);
            } catch (Throwable t) {
                log.debug("{}: query failed", self, t);
                q.future().completeExceptionally(t);
            }
        }
    }

    /** Fails every read still waiting (the server is stopping). */
    void failWaitingReads(RuntimeException cause) {
        while (!waitingReads.isEmpty()) {
            waitingReads.poll().query().future().completeExceptionally(cause);
        }
    }

    private void fail(Throwable t) {
        failed = true;
        fatal.accept(t);
    }
}
