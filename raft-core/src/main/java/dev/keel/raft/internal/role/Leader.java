package dev.keel.raft.internal.role;

import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.internal.engine.RaftLog;
import dev.keel.raft.internal.progress.Progress;
import dev.keel.raft.internal.quorum.Majority;
import dev.keel.raft.internal.read.PendingRead;
import dev.keel.raft.internal.read.ReadIndexTracker;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.ReadIndexRequest;
import dev.keel.raft.message.ReadIndexResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader (Raft §5.3, §5.4): replicates its log to every follower, commits entries of its own term once a
 * majority holds them, confirms its leadership for reads with heartbeat rounds (thesis §6.4), and steps down when it
 * stops hearing from a majority (CheckQuorum, thesis §6.2).
 */
public final class Leader implements RoleBehaviour {
    private static final Logger log = LoggerFactory.getLogger(Leader.class);

    private final RoleContext ctx;
    private final RaftLog raftLog;
    private final Map<NodeId, Progress> progress = new LinkedHashMap<>();
    private final ReadIndexTracker reads;
    private long termStartIndex;
    private int heartbeatElapsed;
    private int quorumCheckElapsed;

    public Leader(RoleContext ctx) {
        this.ctx = ctx;
        this.raftLog = ctx.log();
        this.reads = new ReadIndexTracker(ctx.self(), ctx.peers());
    }

    /** Takes office: every follower is probed from the end of this log, and a no-op opens the term (§8). */
    public void start() {
        long next = raftLog.lastIndex() + 1;
        for (NodeId peer : ctx.peers()) {
            progress.put(peer, new Progress(next, ctx.config().maxInflightMessages()));
        }
        termStartIndex = next;
        raftLog.append(LogEntry.noOp(next, ctx.term()));
        maybeCommit();
    }

    @Override
    public Role role() {
        return Role.LEADER;
    }

    /** Index of the no-op that opened this term. */
    public long termStartIndex() {
        return termStartIndex;
    }

    /** Each follower's match index. */
    public Map<NodeId, Long> matchIndexes() {
        Map<NodeId, Long> out = new LinkedHashMap<>();
        progress.forEach((id, p) -> out.put(id, p.match()));
        return out;
    }

    /** The replication state of one follower, for tests and diagnostics. */
    public Progress progress(NodeId peer) {
        return progress.get(peer);
    }

    @Override
    public void onTick() {
        heartbeatElapsed++;
        quorumCheckElapsed++;
        if (ctx.config().checkQuorum() && quorumCheckElapsed >= ctx.config().electionTimeoutMinTicks()) {
            quorumCheckElapsed = 0;
            if (!quorumActive()) {
                log.warn("{} steps down as leader of term {}: it has not heard from a majority within an election "
                        + "timeout (CheckQuorum)", ctx.self(), ctx.term());
                ctx.becomeFollower(ctx.term(), null);
                return;
            }
            progress.values().forEach(Progress::resetRecentActive);
            // A leader confirmed by a majority holds the lease: vote requests of higher terms are ignored.
            ctx.resetElectionTimer();
        }
        for (PendingRead r : reads.expire(ctx.now() - 2L * ctx.config().electionTimeoutMaxTicks())) {
            fail(r);
        }
        if (heartbeatElapsed >= ctx.config().heartbeatTicks()) {
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
    }

    private boolean quorumActive() {
        int active = 1;
        for (Progress p : progress.values()) {
            if (p.recentActive()) {
                active++;
            }
        }
        return active >= Majority.size(ctx.voterCount());
    }

    private void broadcastHeartbeat() {
        for (Map.Entry<NodeId, Progress> e : progress.entrySet()) {
            long commit = Math.min(raftLog.commitIndex(), e.getValue().match());
            ctx.send(new Heartbeat(ctx.self(), e.getKey(), ctx.term(), commit, reads.latestSeq()));
        }
    }

    @Override
    public void onMessage(RaftMessage message) {
        if (message instanceof AppendEntriesResponse m) {
            onAppendEntriesResponse(m);
        } else if (message instanceof HeartbeatResponse m) {
            Progress p = progress.get(m.from());
            if (p == null) {
                return;
            }
            p.onHeartbeatResponse();
            reads.onAck(m.from(), m.readSeq());
            releaseReads();
            if (p.match() < raftLog.lastIndex()) {
                sendAppends(m.from(), p);
            }
        } else if (message instanceof ReadIndexRequest m) {
            if (progress.containsKey(m.from())) {
                addRead(m.requestId(), m.from());
            }
        } else if (message instanceof InstallSnapshotResponse m) {
            onInstallSnapshotResponse(m);
        }
    }

    private void onInstallSnapshotResponse(InstallSnapshotResponse m) {
        Progress p = progress.get(m.from());
        if (p == null) {
            return;
        }
        p.markActive();
        ctx.snapshotAck(m);
        if (p.state() != Progress.State.SNAPSHOT || m.snapshotIndex() != p.pendingSnapshot()) {
            return;
        }
        switch (m.status()) {
            case INSTALLED -> {
                log.info("{}: {} installed snapshot {}; replicating from {}", ctx.self(), m.from(), m.snapshotIndex(),
                        m.position() + 1);
                p.onSnapshotInstalled(m.position());
                maybeCommit();
                sendAppends(m.from(), p);
            }
            case REJECTED -> {
                log.warn("{}: {} rejected snapshot {}; will retry", ctx.self(), m.from(), m.snapshotIndex());
                p.onSnapshotFailed();
            }
            case CONTINUE -> {
            }
        }
    }

    /** The runtime gave up on a snapshot transfer to {@code peer} (no answers, or the snapshot is gone). */
    public void onSnapshotTransferFailed(NodeId peer) {
        Progress p = progress.get(peer);
        if (p != null && p.state() == Progress.State.SNAPSHOT) {
            p.onSnapshotFailed();
        }
    }

    private void onAppendEntriesResponse(AppendEntriesResponse m) {
        Progress p = progress.get(m.from());
        if (p == null) {
            return;
        }
        p.markActive();
        if (m.success()) {
            if (p.onAccepted(m.index())) {
                if (p.state() != Progress.State.REPLICATE) {
                    p.becomeReplicate();
                }
                maybeCommit();
                sendAppends(m.from(), p);
            }
        } else if (p.onRejected(m.index(), nextIndexHint(m))) {
            log.debug("{}: {} rejected AppendEntries at {}; probing from {}", ctx.self(), m.from(), m.index(),
                    p.next());
            sendAppends(m.from(), p);
        }
    }

    /**
     * Where the follower's log may next match, from its hint: if this log has entries of the conflicting term, just
     * after the last of them; otherwise the first index the follower holds in that term (skipping the whole term).
     */
    private long nextIndexHint(AppendEntriesResponse m) {
        if (m.conflictTerm() == 0) {
            return Math.max(1, m.conflictIndex());
        }
        long last = raftLog.lastIndexOfTerm(m.conflictTerm(), m.index());
        return last >= 0 ? last + 1 : Math.max(1, m.conflictIndex());
    }

    /**
     * Sends a follower what it lacks: one probe, or a stream of batches up to the in-flight window; or the snapshot,
     * when the entries it needs have been compacted away (§7).
     */
    private void sendAppends(NodeId peer, Progress p) {
        long last = raftLog.lastIndex();
        while (!p.isPaused()) {
            long next = p.next();
            if (next > last && p.state() == Progress.State.REPLICATE) {
                return;
            }
            long prev = next - 1;
            long prevTerm = raftLog.termIfKnown(prev);
            if (prevTerm < 0 || next < raftLog.firstIndex()) {
                sendSnapshot(peer, p);
                return;
            }
            List<LogEntry> entries = next <= last
                    ? raftLog.entries(next, last + 1, ctx.config().maxEntriesBytesPerMessage())
                    : List.of();
            ctx.send(new AppendEntriesRequest(ctx.self(), peer, ctx.term(), prev, prevTerm, entries,
                    raftLog.commitIndex()));
            p.onSent(prev + entries.size(), !entries.isEmpty());
        }
    }

    private void sendSnapshot(NodeId peer, Progress p) {
        if (raftLog.snapshot() == null) {
            throw new IllegalStateException(ctx.self() + " must send " + peer + " entries from " + p.next()
                    + " but its log starts at " + raftLog.firstIndex() + " and it has no snapshot");
        }
        log.info("{}: {} needs entry {}, which is compacted; sending snapshot {}", ctx.self(), peer, p.next(),
                raftLog.snapshot());
        p.becomeSnapshot(raftLog.snapshot().index());
        ctx.sendSnapshot(peer);
    }

    private void maybeCommit() {
        long[] matches = new long[progress.size() + 1];
        matches[0] = raftLog.durableIndex();
        int i = 1;
        for (Progress p : progress.values()) {
            matches[i++] = p.match();
        }
        long candidate = Majority.committedIndex(matches);
        // Only an entry of the current term commits by counting replicas; earlier ones commit with it (§5.4.2).
        if (candidate > raftLog.commitIndex() && raftLog.term(candidate) == ctx.term()) {
            raftLog.commitTo(candidate);
            releaseReads();
        }
    }

    @Override
    public void onDurable() {
        maybeCommit();
    }

    @Override
    public void onRead(long requestId) {
        addRead(requestId, null);
    }

    private void addRead(long requestId, NodeId requester) {
        long readIndex = Math.max(raftLog.commitIndex(), termStartIndex);
        reads.add(requestId, requester, readIndex, ctx.now());
    }

    private void releaseReads() {
        for (PendingRead r : reads.releaseConfirmed(raftLog.commitIndex())) {
            if (r.requester() == null) {
                ctx.readReady(r.requestId(), r.readIndex());
            } else {
                ctx.send(new ReadIndexResponse(ctx.self(), r.requester(), ctx.term(), r.requestId(), true,
                        r.readIndex()));
            }
        }
    }

    private void fail(PendingRead r) {
        if (r.requester() == null) {
            ctx.readFailed(r.requestId());
        } else {
            ctx.send(new ReadIndexResponse(ctx.self(), r.requester(), ctx.term(), r.requestId(), false, 0));
        }
    }

    @Override
    public void onPeerUnreachable(NodeId peer) {
        Progress p = progress.get(peer);
        if (p != null && p.state() == Progress.State.REPLICATE) {
            p.becomeProbe();
        }
    }

    @Override
    public void flush() {
        if (reads.startRoundIfNeeded()) {
            if (progress.isEmpty()) {
                releaseReads();
            } else {
                broadcastHeartbeat();
            }
        }
        progress.forEach(this::sendAppends);
    }

    @Override
    public void onExit() {
        reads.drainAll().forEach(this::fail);
    }
}
