package dev.keel.raft.internal.role;

import dev.keel.raft.Role;
import dev.keel.raft.internal.log.RaftLog;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.ReadIndexRequest;
import dev.keel.raft.message.ReadIndexResponse;
import dev.keel.raft.message.TimeoutNow;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The follower (Raft §5.2, §5.3): accepts the leader's entries after the consistency check, learns the commit index,
 * starts an election when the leader falls silent, and forwards reads to the leader for a read index.
 */
public final class Follower implements RoleBehaviour {
    private final RoleContext ctx;
    // Reads forwarded to the leader: request id -> tick sent.
    private final Map<Long, Long> forwardedReads = new LinkedHashMap<>();

    public Follower(RoleContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Role role() {
        return Role.FOLLOWER;
    }

    @Override
    public void onTick() {
        expireForwardedReads();
        if (ctx.mayCampaign() && ctx.electionElapsed() >= ctx.electionTimeout()) {
            ctx.campaign(false);
        }
    }

    private void expireForwardedReads() {
        long deadline = ctx.now() - ctx.config().electionTimeoutMaxTicks();
        Iterator<Map.Entry<Long, Long>> it = forwardedReads.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getValue() > deadline) {
                break;
            }
            it.remove();
            ctx.readFailed(e.getKey());
        }
    }

    @Override
    public void onMessage(RaftMessage message) {
        if (message instanceof AppendEntriesRequest m) {
            ctx.setLeader(m.from());
            ctx.resetElectionTimer();
            onAppendEntries(m);
        } else if (message instanceof Heartbeat m) {
            ctx.setLeader(m.from());
            ctx.resetElectionTimer();
            RaftLog log = ctx.log();
            log.commitTo(Math.min(m.commitIndex(), log.lastIndex()));
            ctx.send(new HeartbeatResponse(ctx.self(), m.from(), ctx.term(), m.readSeq(), log.lastIndex()));
        } else if (message instanceof ReadIndexResponse m) {
            if (forwardedReads.remove(m.requestId()) != null) {
                if (m.success()) {
                    ctx.readReady(m.requestId(), m.readIndex());
                } else {
                    ctx.readFailed(m.requestId());
                }
            }
        } else if (message instanceof InstallSnapshotRequest m) {
            ctx.setLeader(m.from());
            ctx.resetElectionTimer();
            onInstallSnapshot(m);
        } else if (message instanceof TimeoutNow m) {
            // The leader hands over leadership (thesis §3.10): start an election at once, skipping the pre-vote.
            if (ctx.isVoter()) {
                ctx.campaign(true);
            }
        } else if (message instanceof ReadIndexRequest m) {
            // Not the leader (any more): say so rather than let the requester time out.
            ctx.send(new ReadIndexResponse(ctx.self(), m.from(), ctx.term(), m.requestId(), false, 0));
        }
        // Vote traffic of this term needs nothing more from a follower.
    }

    private void onAppendEntries(AppendEntriesRequest m) {
        RaftLog log = ctx.log();
        long prevIndex = m.prevLogIndex();
        long prevTerm = m.prevLogTerm();
        List<LogEntry> entries = m.entries();
        long commit = log.commitIndex();
        if (prevIndex < commit) {
            // Entries up to our commit index are the committed ones and so match the leader's (§5.4): skip them.
            if (m.lastIndex() <= commit) {
                ctx.send(AppendEntriesResponse.accepted(ctx.self(), m.from(), ctx.term(), commit));
                return;
            }
            entries = entries.subList((int) (commit - prevIndex), entries.size());
            prevIndex = commit;
            prevTerm = log.term(commit);
        }
        long last = log.appendAsFollower(prevIndex, prevTerm, entries);
        if (last >= 0) {
            log.commitTo(Math.min(m.leaderCommit(), last));
            ctx.send(AppendEntriesResponse.accepted(ctx.self(), m.from(), ctx.term(), last));
            return;
        }
        long conflictTerm;
        long conflictIndex;
        if (prevIndex > log.lastIndex()) {
            conflictTerm = 0;
            conflictIndex = log.lastIndex() + 1;
        } else {
            conflictTerm = log.term(prevIndex);
            conflictIndex = log.firstIndexOfTermAt(prevIndex, log.commitIndex() + 1);
        }
        ctx.send(new AppendEntriesResponse(ctx.self(), m.from(), ctx.term(), false, prevIndex, conflictTerm,
                conflictIndex));
    }

    /** InstallSnapshot (§7): skip what the log already covers; otherwise the chunk goes to the snapshot receiver. */
    private void onInstallSnapshot(InstallSnapshotRequest m) {
        RaftLog log = ctx.log();
        long snapshotIndex = m.snapshot().index();
        if (snapshotIndex <= log.commitIndex()) {
            installed(m, log.commitIndex());
        } else if (log.matches(snapshotIndex, m.snapshot().term())) {
            // Our log holds the snapshot's last entry, so it matches the leader's up to there (§5.3).
            log.commitTo(snapshotIndex);
            installed(m, snapshotIndex);
        } else {
            ctx.snapshotReceiver().onChunk(m, ctx.term(), ctx.now());
        }
    }

    private void installed(InstallSnapshotRequest m, long matchIndex) {
        ctx.send(new InstallSnapshotResponse(ctx.self(), m.from(), ctx.term(), m.snapshot().index(),
                InstallSnapshotResponse.Status.INSTALLED, matchIndex));
    }

    @Override
    public void onRead(long requestId) {
        if (ctx.leader() == null) {
            ctx.readFailed(requestId);
            return;
        }
        forwardedReads.put(requestId, ctx.now());
        ctx.send(new ReadIndexRequest(ctx.self(), ctx.leader(), ctx.term(), requestId));
    }

    @Override
    public void onExit() {
        for (Long id : forwardedReads.keySet()) {
            ctx.readFailed(id);
        }
        forwardedReads.clear();
    }
}
