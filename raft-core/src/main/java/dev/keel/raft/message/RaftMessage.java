package dev.keel.raft.message;

import dev.keel.raft.NodeId;

/**
 * A message between two Raft servers. The set is closed: a {@link dev.keel.raft.spi.Transport} must carry every
 * one of these records, and nothing else.
 *
 * <p>Every message carries its sender's current term (Raft §5.1): a server that sees a higher term adopts it, and
 * a message with a stale term is rejected or ignored.
 */
public sealed interface RaftMessage
        permits VoteRequest, VoteResponse, AppendEntriesRequest, AppendEntriesResponse, Heartbeat,
        HeartbeatResponse, ReadIndexRequest, ReadIndexResponse, InstallSnapshotRequest, InstallSnapshotResponse,
        TimeoutNow, ForwardRequest, ForwardResponse {

    /** The sender. */
    NodeId from();

    /** The addressee. */
    NodeId to();

    /** The sender's current term (or, for a pre-vote request, the term it would campaign in). */
    long term();
}
