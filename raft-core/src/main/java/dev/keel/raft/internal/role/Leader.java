package dev.keel.raft.internal.role;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.log.RaftLog;
import dev.keel.raft.internal.progress.Progress;
import dev.keel.raft.internal.quorum.JointQuorum;
import dev.keel.raft.internal.read.PendingRead;
import dev.keel.raft.internal.read.ReadIndexTracker;
import dev.keel.raft.internal.transfer.SnapshotSenders;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.ReadIndexRequest;
import dev.keel.raft.message.ReadIndexResponse;
import dev.keel.raft.message.TimeoutNow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The leader (Raft §5.3, §5.4): replicates its log to every member, commits entries of its own term once a
 * majority of voters holds them (of both voter sets during a joint change), confirms its leadership for reads with
 * heartbeat rounds (thesis §6.4), steps down when it stops hearing from a majority (CheckQuorum, thesis §6.2),
 * carries out membership changes (thesis chapter 4) and hands leadership over (thesis §3.10).
 */
public final class Leader implements RoleBehaviour {
    private static final Logger log = LoggerFactory.getLogger(Leader.class);

    private final RoleContext ctx;
    private final RaftLog raftLog;
    private final Map<NodeId, Progress> progress = new LinkedHashMap<>();
    private final ReadIndexTracker reads;
    private final SnapshotSenders snapshots;
    private long termStartIndex;
    private int heartbeatElapsed;
    private int quorumCheckElapsed;
    private MembershipChange change;

    public Leader(RoleContext ctx) {
        this.ctx = ctx;
        this.raftLog = ctx.log();
        this.reads = new ReadIndexTracker(ctx.self());
        this.snapshots = new SnapshotSenders(ctx.self(), ctx.config(), ctx);
    }

    /** Takes office: every member is probed from the end of this log, and a no-op opens the term (§8). */
    public void start() {
        termStartIndex = raftLog.lastIndex() + 1;
        syncProgress();
        raftLog.append(LogEntry.noOp(termStartIndex, ctx.term()));
        Membership m = ctx.membership();
        if (m != null && m.isJoint()) {
            // A joint configuration outlived its leader: finish the change (thesis §4.3).
            change = new MembershipChange(-1, m.leaveJoint(), Set.of(), Long.MAX_VALUE);
            change.phase = MembershipChange.Phase.JOINT;
            change.entryIndex = ctx.membershipIndex();
        } else if (m != null && !ctx.isVoter()) {
            // Elected while left out of its newest configuration (thesis §4.2.2): commit it, then step down.
            change = new MembershipChange(-1, m, Set.of(), Long.MAX_VALUE);
            change.phase = MembershipChange.Phase.FINAL;
            change.entryIndex = ctx.membershipIndex();
        }
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

    /** Whether a membership change is being carried out. */
    public boolean changeInProgress() {
        return change != null;
    }

    /** Brings the replication state in line with the configuration: new members are probed, departed ones dropped. */
    private void syncProgress() {
        List<NodeId> peers = ctx.peers();
        progress.keySet().retainAll(new HashSet<>(peers));
        for (NodeId peer : peers) {
            progress.computeIfAbsent(peer, p -> new Progress(raftLog.lastIndex() + 1,
                    ctx.config().maxInflightMessages()));
        }
    }

    @Override
    public void onMembershipChanged() {
        syncProgress();
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
        if (change != null && change.phase == MembershipChange.Phase.CATCHING_UP) {
            if (ctx.now() >= change.deadline) {
                abandonCatchUp();
            } else {
                advanceChange();
            }
        }
        if (heartbeatElapsed >= ctx.config().heartbeatTicks()) {
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
        snapshots.tick(ctx.now()).forEach(this::onSnapshotTransferFailed);
    }

    private boolean quorumActive() {
        return JointQuorum.hasQuorum(ctx.voters(), ctx.outgoingVoters(), id -> {
            if (id.equals(ctx.self())) {
                return true;
            }
            Progress p = progress.get(id);
            return p != null && p.recentActive();
        });
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
                if (change != null && change.phase == MembershipChange.Phase.CATCHING_UP) {
                    advanceChange();
                }
                if (m.from().equals(ctx.transfer().target())) {
                    maybeSendTimeoutNow();
                }
                sendAppends(m.from(), p);
            }
        } else if (p.onRejected(m.index(), nextIndexHint(m))) {
            log.debug("{}: {} rejected AppendEntries at {}; probing from {}", ctx.self(), m.from(), m.index(),
                    p.next());
            sendAppends(m.from(), p);
        }
    }

    private void onInstallSnapshotResponse(InstallSnapshotResponse m) {
        Progress p = progress.get(m.from());
        if (p == null) {
            return;
        }
        p.markActive();
        snapshots.onAck(m, ctx.now());
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

    /** The driver read a chunk of a snapshot being sent. */
    public void onSnapshotChunkRead(SnapshotTask.ChunkRead read, byte[] data) {
        snapshots.onChunkRead(read, data);
    }

    /** The driver could not read a snapshot being sent: that transfer fails. */
    public void onSnapshotReadFailed(SnapshotTask.ChunkRead read) {
        NodeId peer = snapshots.onReadFailed(read);
        if (peer != null) {
            onSnapshotTransferFailed(peer);
        }
    }

    /** A snapshot transfer to {@code peer} failed (no answers, or the snapshot is gone): probe again later. */
    private void onSnapshotTransferFailed(NodeId peer) {
        Progress p = progress.get(peer);
        if (p != null && p.state() == Progress.State.SNAPSHOT) {
            p.onSnapshotFailed();
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

    /** Whether {@code p}'s follower is owed an append: entries it lacks, or a probe, and room in its window. */
    private static boolean owedAppend(Progress p, long last) {
        return !p.isPaused() && (p.next() <= last || p.state() != Progress.State.REPLICATE);
    }

    /**
     * Sends a follower what it lacks: one probe, or a stream of batches up to the in-flight window; or the snapshot,
     * when the entries it needs have been compacted away (§7).
     */
    private void sendAppends(NodeId peer, Progress p) {
        long last = raftLog.lastIndex();
        while (owedAppend(p, last)) {
            long next = p.next();
            long prev = next - 1;
            long prevTerm = raftLog.termIfKnown(prev);
            if (prevTerm < 0 || next < raftLog.firstIndex()) {
                sendSnapshot(peer, p);
                return;
            }
            if (next <= last && !raftLog.isCached(next, last + 1)) {
                startLoad(peer, p, next);
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

    // ---- entries read from disk, off the event loop -------------------------------------------------------------

    /** The entries {@code peer} needs next are only on disk: ask for them and wait, instead of reading them here. */
    private void startLoad(NodeId peer, Progress p, long next) {
        long to = Math.min(raftLog.lastIndex() + 1, raftLog.unstableOffset());
        p.startLoad(next);
        ctx.loadEntries(new EntryLoad(peer, ctx.term(), next, to, ctx.config().maxEntriesBytesPerMessage()));
    }

    /**
     * Entries read for {@code load} arrived: sent if the follower still waits for exactly them (same position, room
     * in its window, the entries still this log's), dropped otherwise; either way replication goes on from where the
     * follower is now.
     */
    public void onEntriesLoaded(EntryLoad load, List<LogEntry> entries) {
        Progress p = progress.get(load.peer());
        if (p == null || p.loadingFrom() != load.from()) {
            return;
        }
        p.loadDone();
        long prev = load.from() - 1;
        long prevTerm = raftLog.termIfKnown(prev);
        if (p.next() == load.from() && owedAppend(p, raftLog.lastIndex()) && prevTerm >= 0
                && stillInLog(load, entries)) {
            ctx.send(new AppendEntriesRequest(ctx.self(), load.peer(), ctx.term(), prev, prevTerm, entries,
                    raftLog.commitIndex()));
            p.onSent(prev + entries.size(), true);
        } else {
            log.debug("{}: drops the entries of {}: {} has moved on ({})", ctx.self(), load, load.peer(), p);
        }
        sendAppends(load.peer(), p);
    }

    /** Whether loaded entries start where asked and (by the Log Matching property, §5.3) are still this log's. */
    private boolean stillInLog(EntryLoad load, List<LogEntry> entries) {
        if (entries.isEmpty() || entries.get(0).index() != load.from()) {
            return false;
        }
        LogEntry last = entries.get(entries.size() - 1);
        return raftLog.termIfKnown(last.index()) == last.term();
    }

    /**
     * The read for {@code load} failed because the entries are gone (compacted or truncated meanwhile): a follower
     * that now needs compacted entries gets the snapshot at once; otherwise it is probed again after its next
     * heartbeat answer.
     */
    public void onEntryLoadFailed(EntryLoad load) {
        Progress p = progress.get(load.peer());
        if (p == null || p.loadingFrom() != load.from()) {
            return;
        }
        p.loadFailed();
        long next = p.next();
        boolean compacted = next < raftLog.firstIndex() || raftLog.termIfKnown(next - 1) < 0;
        log.info("{}: entries from {} for {} could not be read (compacted meanwhile?); {}", ctx.self(), load.from(),
                load.peer(), compacted ? "sending the snapshot" : "probing again from " + next);
        if (compacted) {
            sendSnapshot(load.peer(), p);
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
        snapshots.start(peer, ctx.term(), raftLog.snapshot(), ctx.now());
    }

    private void maybeCommit() {
        long candidate = JointQuorum.committedIndex(ctx.voters(), ctx.outgoingVoters(), id -> {
            if (id.equals(ctx.self())) {
                return raftLog.durableIndex();
            }
            Progress p = progress.get(id);
            return p == null ? 0 : p.match();
        });
        // Only an entry of the current term commits by counting replicas; earlier ones commit with it (§5.4.2).
        if (candidate > raftLog.commitIndex() && raftLog.term(candidate) == ctx.term()) {
            raftLog.commitTo(candidate);
            releaseReads();
            advanceChange();
        }
    }

    @Override
    public void onDurable() {
        maybeCommit();
    }

    // ---- membership changes (thesis chapter 4) ------------------------------------------------------------------

    /**
     * Starts moving the cluster to {@code target}, if the configuration is still the one at {@code expectedIndex}
     * and no other change is under way. The outcome is reported through {@link RoleContext#adminDone}.
     */
    public void changeMembership(long requestId, Membership target, long expectedIndex) {
        Membership current = ctx.membership();
        if (ctx.membershipIndex() != expectedIndex) {
            ctx.adminDone(AdminResult.failureOf(requestId, AdminResult.Outcome.CONFLICT, "the configuration is at index "
                    + ctx.membershipIndex() + ", not " + expectedIndex + ": " + current + "; re-read and retry"));
            return;
        }
        if (change != null || ctx.membershipIndex() > raftLog.commitIndex()) {
            ctx.adminDone(AdminResult.failureOf(requestId, AdminResult.Outcome.BUSY,
                    "another membership change is in progress; retry once it has committed"));
            return;
        }
        if (raftLog.commitIndex() < termStartIndex) {
            // The single-server-change bug (2015): a leader must commit an entry of its term before a change.
            ctx.adminDone(AdminResult.failureOf(requestId, AdminResult.Outcome.BUSY,
                    "the leader has not yet committed an entry of its term; retry in a moment"));
            return;
        }
        if (target.isJoint()) {
            ctx.adminDone(AdminResult.failureOf(requestId, AdminResult.Outcome.INVALID,
                    "the target configuration must not name outgoing voters"));
            return;
        }
        if (target.equals(current)) {
            ctx.adminDone(AdminResult.success(requestId, current, ctx.membershipIndex()));
            return;
        }
        Set<NodeId> promoted = new TreeSet<>(target.voterIds());
        promoted.removeAll(current.voterIds());
        change = new MembershipChange(requestId, target, promoted,
                ctx.now() + ctx.config().catchUpTimeoutTicks());
        Set<NodeId> needLearning = new TreeSet<>(promoted);
        needLearning.removeAll(current.learnerIds());
        if (!needLearning.isEmpty()) {
            // New voters start as learners and are promoted once they have caught up (thesis §4.2.1).
            TreeSet<Member> learners = new TreeSet<>(current.learners());
            for (NodeId id : needLearning) {
                learners.add(target.member(id).orElseThrow());
            }
            change.phase = MembershipChange.Phase.CATCHING_UP;
            change.entryIndex = appendConfiguration(Membership.of(current.voters(), learners));
            change.learnersIndex = change.entryIndex;
            log.info("{}: adding {} as learners before promoting them", ctx.self(), needLearning);
        } else if (!promoted.isEmpty()) {
            // Learners already: promoted only once they hold the current configuration and are close behind.
            change.phase = MembershipChange.Phase.CATCHING_UP;
            change.entryIndex = ctx.membershipIndex();
            change.learnersIndex = ctx.membershipIndex();
            advanceChange();
        } else {
            enterJointOrFinal();
        }
    }

    private void enterJointOrFinal() {
        Membership current = ctx.membership();
        if (!change.target.voterIds().equals(current.voterIds())) {
            change.phase = MembershipChange.Phase.JOINT;
            change.entryIndex = appendConfiguration(change.target.joint(current.voters()));
        } else {
            change.phase = MembershipChange.Phase.FINAL;
            change.entryIndex = appendConfiguration(change.target);
        }
    }

    private long appendConfiguration(Membership m) {
        long index = raftLog.lastIndex() + 1;
        raftLog.append(LogEntry.configuration(index, ctx.term(), m));
        log.info("{}: configuration entry {} appended: {}", ctx.self(), index, m);
        syncProgress();
        return index;
    }

    /** Moves the change on once its current entry is committed (and its learners have caught up). */
    private void advanceChange() {
        while (change != null && raftLog.commitIndex() >= change.entryIndex) {
            switch (change.phase) {
                case CATCHING_UP -> {
                    if (!caughtUp()) {
                        return;
                    }
                    enterJointOrFinal();
                }
                case JOINT -> {
                    change.phase = MembershipChange.Phase.FINAL;
                    change.entryIndex = appendConfiguration(ctx.membership().leaveJoint());
                }
                case FINAL -> {
                    MembershipChange done = change;
                    change = null;
                    if (done.requestId >= 0) {
                        ctx.adminDone(AdminResult.success(done.requestId, ctx.membership(), ctx.membershipIndex()));
                    }
                    if (!ctx.isVoter()) {
                        log.info("{} is no longer a voter; stepping down now that the change is committed",
                                ctx.self());
                        ctx.becomeFollower(ctx.term(), null);
                        return;
                    }
                }
            }
        }
    }

    /**
     * Whether every node to promote holds the configuration that made it a learner (so it is alive and replicating)
     * and is within the allowed lag of the leader's log.
     */
    private boolean caughtUp() {
        long lag = ctx.config().catchUpMaxLag();
        for (NodeId id : change.promoted) {
            Progress p = progress.get(id);
            if (p == null || p.match() < change.learnersIndex || p.match() + lag < raftLog.lastIndex()) {
                return false;
            }
        }
        return true;
    }

    private void abandonCatchUp() {
        StringBuilder behind = new StringBuilder();
        for (NodeId id : change.promoted) {
            Progress p = progress.get(id);
            long match = p == null ? 0 : p.match();
            if (match < change.learnersIndex) {
                behind.append(' ').append(id).append(" has not acknowledged being added;");
            } else if (match + ctx.config().catchUpMaxLag() < raftLog.lastIndex()) {
                behind.append(' ').append(id).append(" is ").append(raftLog.lastIndex() - match)
                        .append(" entries behind;");
            }
        }
        MembershipChange failed = change;
        change = null;
        log.warn("{}: membership change abandoned: new voters did not catch up in time:{}", ctx.self(), behind);
        ctx.adminDone(AdminResult.failureOf(failed.requestId, AdminResult.Outcome.TIMEOUT,
                "new voters did not catch up within " + ctx.config().catchUpTimeout().toMillis() + " ms:" + behind
                        + " they stay learners; retry the change once they have caught up"));
    }

    // ---- leadership transfer (thesis §3.10) ---------------------------------------------------------------------

    /**
     * Starts handing leadership to the target of {@link RoleContext#transfer()}: proposals pause while it catches up,
     * then it gets TimeoutNow.
     */
    public void startTransfer() {
        NodeId target = ctx.transfer().target();
        Progress p = progress.get(target);
        if (p != null && p.match() < raftLog.lastIndex()) {
            sendAppends(target, p);
        }
        maybeSendTimeoutNow();
    }

    /** Whether a transfer is under way (proposals wait). */
    public boolean transferring() {
        return ctx.transfer().pausesLeaderOf(ctx.term());
    }

    private void maybeSendTimeoutNow() {
        NodeId transferTarget = ctx.transfer().target();
        Progress p = transferTarget == null ? null : progress.get(transferTarget);
        if (p != null && p.match() >= raftLog.lastIndex()) {
            log.info("{}: {} is up to date; handing over leadership", ctx.self(), transferTarget);
            ctx.send(new TimeoutNow(ctx.self(), transferTarget, ctx.term()));
        }
    }

    // ---- reads --------------------------------------------------------------------------------------------------

    @Override
    public void onRead(long requestId) {
        addRead(requestId, null);
    }

    private void addRead(long requestId, NodeId requester) {
        long readIndex = Math.max(raftLog.commitIndex(), termStartIndex);
        reads.add(requestId, requester, readIndex, ctx.now());
    }

    private void releaseReads() {
        if (!reads.hasWaiting()) {
            return;
        }
        for (PendingRead r : reads.releaseConfirmed(raftLog.commitIndex(), confirmedReadSeq())) {
            if (r.requester() == null) {
                ctx.readReady(r.requestId(), r.readIndex());
            } else {
                ctx.send(new ReadIndexResponse(ctx.self(), r.requester(), ctx.term(), r.requestId(), true,
                        r.readIndex()));
            }
        }
    }

    /** The latest read round a quorum (joint, during a change) has answered. */
    private long confirmedReadSeq() {
        return JointQuorum.committedIndex(ctx.voters(), ctx.outgoingVoters(), reads::ackedSeq);
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
        // One round at a time: reads arriving while a round is out wait for it to be confirmed and then share the
        // next one. Under load that turns a heartbeat broadcast per event-loop turn into one per round trip, with
        // every read still confirmed by a round that started after it arrived. A lost answer delays the round by at
        // most a heartbeat interval: every periodic heartbeat carries the latest round again.
        if (confirmedReadSeq() >= reads.latestSeq() && reads.startRoundIfNeeded()) {
            releaseReads();
            broadcastHeartbeat();
        }
        progress.forEach(this::sendAppends);
    }

    @Override
    public boolean hasHeldBack() {
        if (reads.hasUnassigned() && confirmedReadSeq() >= reads.latestSeq()) {
            return true;
        }
        long last = raftLog.lastIndex();
        for (Progress p : progress.values()) {
            if (owedAppend(p, last)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onExit() {
        snapshots.stopAll("superseded");
        reads.drainAll().forEach(this::fail);
        if (change != null && change.requestId >= 0) {
            ctx.adminDone(AdminResult.failureOf(change.requestId, AdminResult.Outcome.INDETERMINATE,
                    ctx.self() + " lost leadership during the change; it may still complete: re-read the membership"));
        }
        change = null;
    }
}
