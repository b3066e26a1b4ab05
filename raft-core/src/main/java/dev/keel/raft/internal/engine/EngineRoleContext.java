package dev.keel.raft.internal.engine;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.log.RaftLog;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.internal.role.LeadershipTransfer;
import dev.keel.raft.internal.role.RoleContext;
import dev.keel.raft.internal.transfer.SnapshotReceiver;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.message.RaftMessage;

import java.util.List;
import java.util.Set;

/**
 * The roles' view of their engine: reads of the server's shared state, the transitions between roles, and the
 * outputs a role produces, which go to the engine's {@link Outbox}. Holds no state of its own.
 */
final class EngineRoleContext implements RoleContext {
    private final RaftEngine engine;
    private final Outbox outbox;

    EngineRoleContext(RaftEngine engine, Outbox outbox) {
        this.engine = engine;
        this.outbox = outbox;
    }

    @Override
    public NodeId self() {
        return engine.id();
    }

    @Override
    public long term() {
        return engine.term();
    }

    @Override
    public NodeId leader() {
        return engine.leader();
    }

    @Override
    public RaftConfig config() {
        return engine.config();
    }

    @Override
    public RaftLog log() {
        return engine.log();
    }

    @Override
    public Membership membership() {
        return engine.membership();
    }

    @Override
    public long membershipIndex() {
        return engine.membershipIndex();
    }

    @Override
    public List<NodeId> peers() {
        return engine.peers();
    }

    @Override
    public Set<NodeId> voters() {
        return engine.voters();
    }

    @Override
    public Set<NodeId> outgoingVoters() {
        return engine.outgoingVoters();
    }

    @Override
    public boolean isVoter() {
        return engine.voters().contains(engine.id()) || engine.outgoingVoters().contains(engine.id());
    }

    @Override
    public boolean mayCampaign() {
        return isVoter() || engine.log().votesInUnsettledConfig(engine.id());
    }

    @Override
    public LeadershipTransfer transfer() {
        return engine.leadershipTransfer();
    }

    @Override
    public long now() {
        return engine.now();
    }

    @Override
    public int electionElapsed() {
        return engine.electionElapsed();
    }

    @Override
    public int electionTimeout() {
        return engine.electionTimeoutTicks();
    }

    @Override
    public void resetElectionTimer() {
        engine.resetElectionTimer();
    }

    @Override
    public void send(RaftMessage message) {
        engine.send(message);
    }

    @Override
    public void setLeader(NodeId newLeader) {
        engine.setLeader(newLeader);
    }

    @Override
    public void becomeFollower(long newTerm, NodeId newLeader) {
        engine.becomeFollower(newTerm, newLeader);
    }

    @Override
    public void campaign(boolean transfer) {
        engine.campaign(transfer);
    }

    @Override
    public void becomeCandidate(boolean transfer) {
        engine.becomeCandidate(transfer);
    }

    @Override
    public void becomeLeader() {
        engine.becomeLeader();
    }

    @Override
    public void redeliver(RaftMessage message) {
        engine.redeliver(message);
    }

    @Override
    public void readReady(long requestId, long readIndex) {
        outbox.readStates.add(new ReadState(requestId, readIndex));
    }

    @Override
    public void readFailed(long requestId) {
        outbox.failedReads.add(requestId);
    }

    @Override
    public void snapshotTask(SnapshotTask task) {
        outbox.snapshotTasks.add(task);
    }

    @Override
    public long newTransferId() {
        return engine.newTransferId();
    }

    @Override
    public SnapshotReceiver snapshotReceiver() {
        return engine.snapshotReceiver();
    }

    @Override
    public void loadEntries(EntryLoad load) {
        outbox.loads.add(load);
    }

    @Override
    public void adminDone(AdminResult result) {
        outbox.adminResults.add(result);
    }
}
