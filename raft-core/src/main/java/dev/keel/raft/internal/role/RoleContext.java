package dev.keel.raft.internal.role;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.log.RaftLog;
import dev.keel.raft.internal.transfer.SnapshotReceiver;
import dev.keel.raft.internal.transfer.TransferOutput;
import dev.keel.raft.message.RaftMessage;

import java.util.List;
import java.util.Set;

/**
 * What a role may see and do: the shared state of the server and the transitions between roles. Implemented by
 * the engine; a role never holds state that outlives it except through this context.
 */
public interface RoleContext extends TransferOutput {

    NodeId self();

    long term();

    /** The leader known in the current term, or {@code null}. */
    NodeId leader();

    RaftConfig config();

    RaftLog log();

    /** The configuration in effect (the latest in the log); {@code null} while a joining server knows none. */
    Membership membership();

    /** Index of the entry that introduced {@link #membership()}; 0 for the bootstrap configuration. */
    long membershipIndex();

    /** Every other member in any role, in a stable order: who the leader replicates to. */
    List<NodeId> peers();

    /** The voters (incoming voters during a joint change). */
    Set<NodeId> voters();

    /** The outgoing voters during a joint change; empty otherwise. */
    Set<NodeId> outgoingVoters();

    /** Whether this server votes in the current configuration. */
    boolean isVoter();

    /**
     * Whether this server may start an election: it votes in its newest configuration, or in one that is not yet
     * known to be superseded (thesis §4.2.2: a server left out of an uncommitted configuration may be needed to elect
     * the leader that commits it; it then does not count its own vote).
     */
    boolean mayCampaign();

    /** The leadership transfer this server started, if any; it outlives the leader role. */
    LeadershipTransfer transfer();

    /** Ticks since the engine started. */
    long now();

    /** Ticks since the election timer was last reset. */
    int electionElapsed();

    /** The current randomized election timeout, in ticks. */
    int electionTimeout();

    void resetElectionTimer();

    /** Queues a message. */
    @Override
    void send(RaftMessage message);

    /** Records the leader of the current term (a follower learns it from AppendEntries or a heartbeat). */
    void setLeader(NodeId leader);

    void becomeFollower(long term, NodeId leader);

    /**
     * Starts an election: a pre-vote first when enabled, else a real one.
     *
     * @param transfer true when the leader asked for it (TimeoutNow): no pre-vote, and voters skip the lease check
     */
    void campaign(boolean transfer);

    void becomeCandidate(boolean transfer);

    void becomeLeader();

    /** Routes a message to whatever role is current (after a transition). */
    void redeliver(RaftMessage message);

    /** A read is confirmed at {@code readIndex}. */
    void readReady(long requestId, long readIndex);

    /** A read cannot be served by this server. */
    void readFailed(long requestId);

    /** The follower's side of InstallSnapshot: the snapshot being received, which outlives roles. */
    SnapshotReceiver snapshotReceiver();

    /** Asks the runtime to read entries from disk for a follower, off the event loop (see {@link EntryLoad}). */
    void loadEntries(EntryLoad load);

    /** An administrative request finished. */
    void adminDone(AdminResult result);
}
