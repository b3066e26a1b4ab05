package dev.keel.raft.metrics;

import dev.keel.raft.metrics.Metric.Unit;

import java.util.List;

import static dev.keel.raft.metrics.Metric.counter;
import static dev.keel.raft.metrics.Metric.gauge;
import static dev.keel.raft.metrics.Metric.histogram;

/**
 * Every metric Keel reports. Each meter also carries the tag {@code node} (the server's id). Times are measured
 * outside the consensus engine (which has no clock): by the server's event loop and applier, the log's I/O thread
 * and the transport.
 */
public final class KeelMetrics {
    private KeelMetrics() {
    }

    // ---- commits ------------------------------------------------------------------------------------------------

    /** Leader: from {@code submit} to the command known committed (on a majority's disks). */
    public static final Metric COMMIT_LATENCY = histogram("keel.commit.latency", Unit.NANOSECONDS,
            "Time from submit to the command being committed, on the leader");
    /** Leader: from {@code submit} to the command applied here and its future completed. */
    public static final Metric APPLY_LATENCY = histogram("keel.apply.latency", Unit.NANOSECONDS,
            "Time from submit to the command being applied and its result returned, on the leader");
    /** Entries carried by one AppendEntries request (heartbeats not counted). */
    public static final Metric APPEND_ENTRIES_BATCH = histogram("keel.append.entries.batch", Unit.COUNT,
            "Entries per AppendEntries request sent to a follower");
    /** Submits and reads in flight on this server. */
    public static final Metric PENDING = gauge("keel.pending", Unit.COUNT,
            "Submits (op=submit) or linearizable reads (op=read) accepted and not yet completed", "op");
    /** Requests refused before doing anything. */
    public static final Metric REJECTIONS = counter("keel.rejections", Unit.COUNT,
            "Submits or reads (op) refused: too many pending (reason=busy) or not the leader (reason=not_leader)",
            "op", "reason");
    /** Inbound messages dropped by an overloaded event loop (see {@code RaftConfig.inboxCapacity}). */
    public static final Metric INBOX_DROPPED = counter("keel.inbox.dropped", Unit.COUNT,
            "Inbound Raft messages dropped because inboxCapacity of them already waited for the event loop");

    // ---- elections and state ------------------------------------------------------------------------------------

    /** Pre-votes started (thesis §9.6): the election timeout passed without a leader. */
    public static final Metric PREVOTES_STARTED = counter("keel.prevotes.started", Unit.COUNT,
            "Pre-vote rounds this server started (its election timeout passed without hearing from a leader)");
    /** Elections started (§5.2): a term incremented to campaign in. */
    public static final Metric ELECTIONS_STARTED = counter("keel.elections.started", Unit.COUNT,
            "Elections this server started as a candidate (each increments the term)");
    /** Elections won. */
    public static final Metric ELECTIONS_WON = counter("keel.elections.won", Unit.COUNT,
            "Elections this server won (it became leader)");
    /** Times this server learned of a leader other than the last one it knew. */
    public static final Metric LEADER_CHANGES = counter("keel.leader.changes", Unit.COUNT,
            "Times this server saw a new leader (itself included)");
    /** The current term. */
    public static final Metric TERM = gauge("keel.term", Unit.INDEX, "This server's current term");
    /** 1 while this server leads, else 0. */
    public static final Metric IS_LEADER = gauge("keel.is.leader", Unit.COUNT, "1 while this server is the leader");
    /** 1 while this server knows a leader (itself included), else 0. */
    public static final Metric HAS_LEADER = gauge("keel.has.leader", Unit.COUNT,
            "1 while this server knows a leader of its current term");
    /** Highest index known committed. */
    public static final Metric COMMIT_INDEX = gauge("keel.commit.index", Unit.INDEX,
            "Highest log index this server knows to be committed");
    /** Highest index applied to the state machine. */
    public static final Metric APPLIED_INDEX = gauge("keel.applied.index", Unit.INDEX,
            "Highest log index applied to this server's state machine");
    /** Last index in the log. */
    public static final Metric LAST_LOG_INDEX = gauge("keel.last.log.index", Unit.INDEX,
            "Index of the last entry in this server's log");
    /** Index the newest snapshot covers. */
    public static final Metric SNAPSHOT_INDEX = gauge("keel.snapshot.index", Unit.INDEX,
            "Log index this server's newest snapshot covers (0 without one)");
    /** Leader: how far each follower's log reaches. */
    public static final Metric FOLLOWER_MATCH_INDEX = gauge("keel.follower.match.index", Unit.INDEX,
            "Leader only: highest index known replicated on each follower", "follower");
    /** Leader: entries each follower is behind the leader's log. */
    public static final Metric FOLLOWER_LAG = gauge("keel.follower.lag", Unit.COUNT,
            "Leader only: entries in the leader's log that each follower is not known to hold", "follower");

    // ---- snapshots ----------------------------------------------------------------------------------------------

    /** Taking a local snapshot, from capture to durable. */
    public static final Metric SNAPSHOT_DURATION = histogram("keel.snapshot.duration", Unit.NANOSECONDS,
            "Time to write a snapshot of the state machine and make it durable");
    /** Size of each local snapshot. */
    public static final Metric SNAPSHOT_SIZE = histogram("keel.snapshot.size", Unit.BYTES,
            "Size of each snapshot taken");
    /** Snapshot bytes streamed to or from peers (InstallSnapshot, §7). */
    public static final Metric INSTALL_SNAPSHOT_BYTES = counter("keel.install.snapshot.bytes", Unit.BYTES,
            "Snapshot bytes sent to followers (direction=sent) or received from the leader (direction=received)",
            "direction");
    /** A received snapshot, from first chunk to durable and verified. */
    public static final Metric INSTALL_SNAPSHOT_DURATION = histogram("keel.install.snapshot.duration",
            Unit.NANOSECONDS, "Time to receive a snapshot from the leader, from its first chunk to durable");

    // ---- log storage --------------------------------------------------------------------------------------------

    /** One force of the log to disk. */
    public static final Metric FSYNC_LATENCY = histogram("keel.log.fsync.latency", Unit.NANOSECONDS,
            "Time of one force (fsync) of the log to disk");
    /** Entries made durable by one force (group commit). */
    public static final Metric FSYNC_BATCH = histogram("keel.log.fsync.batch", Unit.COUNT,
            "Log entries made durable by one force (group commit batch size)");

    // ---- transport ----------------------------------------------------------------------------------------------

    /** Bytes written to a peer's connection. */
    public static final Metric TRANSPORT_SENT_BYTES = counter("keel.transport.sent.bytes", Unit.BYTES,
            "Bytes written to the connection to each peer", "peer");
    /** Bytes read from a peer's connections. */
    public static final Metric TRANSPORT_RECEIVED_BYTES = counter("keel.transport.received.bytes", Unit.BYTES,
            "Bytes read from connections from each peer", "peer");
    /** Messages (frames) written to a peer. */
    public static final Metric TRANSPORT_SENT_FRAMES = counter("keel.transport.sent.frames", Unit.COUNT,
            "Messages (frames) written to each peer", "peer");
    /** Messages (frames) received from a peer. */
    public static final Metric TRANSPORT_RECEIVED_FRAMES = counter("keel.transport.received.frames", Unit.COUNT,
            "Messages (frames) received from each peer", "peer");
    /** Messages for a peer that were dropped instead of sent. */
    public static final Metric TRANSPORT_DROPS = counter("keel.transport.drops", Unit.COUNT,
            "Messages to each peer dropped: its queue was full (reason=queue_full), it could not be reached "
                    + "(reason=unreachable) or the message exceeded the frame limit (reason=too_large)",
            "peer", "reason");
    /** Connection attempts to a peer after the first. */
    public static final Metric TRANSPORT_RECONNECTS = counter("keel.transport.reconnects", Unit.COUNT,
            "Connection attempts to each peer after its first: the connection broke or an attempt failed",
            "peer");

    /** Every metric above, in this order. */
    public static List<Metric> all() {
        return List.of(COMMIT_LATENCY, APPLY_LATENCY, APPEND_ENTRIES_BATCH, PENDING, REJECTIONS, INBOX_DROPPED,
                PREVOTES_STARTED, ELECTIONS_STARTED, ELECTIONS_WON, LEADER_CHANGES, TERM, IS_LEADER, HAS_LEADER, COMMIT_INDEX,
                APPLIED_INDEX, LAST_LOG_INDEX, SNAPSHOT_INDEX, FOLLOWER_MATCH_INDEX, FOLLOWER_LAG, SNAPSHOT_DURATION,
                SNAPSHOT_SIZE, INSTALL_SNAPSHOT_BYTES, INSTALL_SNAPSHOT_DURATION, FSYNC_LATENCY, FSYNC_BATCH,
                TRANSPORT_SENT_BYTES, TRANSPORT_RECEIVED_BYTES, TRANSPORT_SENT_FRAMES, TRANSPORT_RECEIVED_FRAMES,
                TRANSPORT_DROPS, TRANSPORT_RECONNECTS);
    }
}
