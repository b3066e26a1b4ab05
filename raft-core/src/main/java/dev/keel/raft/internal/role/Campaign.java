package dev.keel.raft.internal.role;

import dev.keel.raft.NodeId;
import dev.keel.raft.internal.quorum.JointQuorum;
import dev.keel.raft.internal.quorum.Majority;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.VoteRequest;
import dev.keel.raft.message.VoteResponse;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a pre-candidate and a candidate share: ask every voter, count answers (a majority of the voters, and of the
 * outgoing voters during a joint change), and yield to a leader of the same term (Raft §5.2).
 */
abstract sealed class Campaign implements RoleBehaviour permits PreCandidate, Candidate {
    protected final RoleContext ctx;
    private final Map<NodeId, Boolean> votes = new HashMap<>();

    Campaign(RoleContext ctx) {
        this.ctx = ctx;
    }

    /** Whether this campaign is a pre-vote. */
    abstract boolean preVote();

    /** Whether the leader asked for this election (TimeoutNow). */
    abstract boolean transfer();

    /** The term the vote requests carry. */
    abstract long campaignTerm();

    /** A majority granted. */
    abstract void won();

    /** Counts this server's own vote, asks the others, and settles at once if this server alone is a majority. */
    public final void start() {
        votes.put(ctx.self(), true);
        long lastIndex = ctx.log().lastIndex();
        long lastTerm = ctx.log().lastTerm();
        TreeSet<NodeId> electorate = new TreeSet<>(ctx.voters());
        electorate.addAll(ctx.outgoingVoters());
        electorate.remove(ctx.self());
        for (NodeId voter : electorate) {
            ctx.send(new VoteRequest(ctx.self(), voter, campaignTerm(), lastIndex, lastTerm, preVote(), transfer()));
        }
        settle();
    }

    @Override
    public void onTick() {
        if (ctx.electionElapsed() >= ctx.electionTimeout()) {
            ctx.campaign(false);
        }
    }

    @Override
    public void onMessage(RaftMessage message) {
        if (message instanceof AppendEntriesRequest || message instanceof Heartbeat
                || message instanceof InstallSnapshotRequest) {
            yieldTo(message);
        } else if (message instanceof VoteResponse m && m.preVote() == preVote()) {
            votes.putIfAbsent(m.from(), m.granted());
            settle();
        }
    }

    private void yieldTo(RaftMessage fromLeader) {
        // A leader of the current term exists (§5.2): step back and let the follower handle its message.
        ctx.becomeFollower(ctx.term(), fromLeader.from());
        ctx.redeliver(fromLeader);
    }

    private void settle() {
        Majority.VoteResult result = JointQuorum.tally(ctx.voters(), ctx.outgoingVoters(), votes);
        if (result == Majority.VoteResult.WON) {
            won();
        } else if (result == Majority.VoteResult.LOST) {
            ctx.becomeFollower(ctx.term(), null);
        }
    }

    @Override
    public void onRead(long requestId) {
        ctx.readFailed(requestId);
    }
}
