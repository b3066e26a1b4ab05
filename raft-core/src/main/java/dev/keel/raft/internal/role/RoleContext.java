package dev.keel.raft.internal.role;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.internal.engine.RaftLog;
import dev.keel.raft.message.RaftMessage;

import java.util.List;

/**
 * What a role may see and do: the shared state of the server and the transitions between roles. Implemented by
 * the engine; a role never holds state that outlives it except through this context.
 */
public interface RoleContext {

    NodeId self();

    long term();

    /** The leader known in the current term, or {@code null}. */
    NodeId leader();

    RaftConfig config();

    RaftLog log();

    /** The other voters, in a stable order. */
    List<NodeId> peers();

    /** Number of voters, this server included if it is one. */
    int voterCount();

    /** Whether this server is a voter (only voters campaign). */
    boolean isVoter();

    /** Ticks since the engine started. */
    long now();

    /** Ticks since the election timer was last reset. */
    int electionElapsed();

    /** The current randomized election timeout, in ticks. */
    int electionTimeout();

    void resetElectionTimer();

    /** Queues a message. */
    void send(RaftMessage message);

    /** Records the leader of the current term (a follower learns it from AppendEntries or a heartbeat). */
    void setLeader(NodeId leader);

    void becomeFollower(long term, NodeId leader);

    /** Starts an election: a pre-vote first when enabled, else a real one. */
    void campaign();

    void becomeCandidate();

    void becomeLeader();

    /** Routes a message to whatever role is current (after a transition). */
    void redeliver(RaftMessage message);

    /** A read is confirmed at {@code readIndex}. */
    void readReady(long requestId, long readIndex);

    /** A read cannot be served by this server. */
    void readFailed(long requestId);

    /** Starts streaming the latest snapshot to {@code peer} (the leader's side of InstallSnapshot). */
    void sendSnapshot(NodeId peer);

    /** Hands a received snapshot chunk to the runtime, which writes it and acknowledges it. */
    void receiveSnapshotChunk(dev.keel.raft.message.InstallSnapshotRequest chunk);

    /** Hands a follower's answer about a snapshot chunk to the runtime's running transfer. */
    void snapshotAck(dev.keel.raft.message.InstallSnapshotResponse ack);
}
