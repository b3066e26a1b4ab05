package dev.keel.raft.internal.transfer;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.SnapshotMetadata;

/**
 * The leader's transfer of one snapshot to one follower: how far the follower has acknowledged, how far chunks have
 * been sent, which reads are outstanding, and when it last made progress. Decisions that need more than this one
 * transfer (the rate budget, the clock) are {@link SnapshotSenders}'.
 */
public final class SnapshotSender {
    private final long id;
    private final NodeId peer;
    private final long term;
    private final SnapshotMetadata snapshot;
    long acked;
    long sent;
    int reading;
    boolean sentLast;
    long lastProgress;
    long lastRewind;
    long bytesSent;

    SnapshotSender(long id, NodeId peer, long term, SnapshotMetadata snapshot, long now) {
        this.id = id;
        this.peer = peer;
        this.term = term;
        this.snapshot = snapshot;
        this.lastProgress = now;
        this.lastRewind = Long.MIN_VALUE / 2;
    }

    /** The transfer's id. */
    public long id() {
        return id;
    }

    /** The follower. */
    public NodeId peer() {
        return peer;
    }

    /** The leader's term the chunks are sent in. */
    public long term() {
        return term;
    }

    /** The snapshot being sent. */
    public SnapshotMetadata snapshot() {
        return snapshot;
    }

    /** Chunks have been sent up to this byte. */
    public long sent() {
        return sent;
    }

    @Override
    public String toString() {
        return "sending " + snapshot.index() + "@" + snapshot.term() + " to " + peer + " acked=" + acked + " sent="
                + sent + (reading > 0 ? " reading=" + reading : "") + (sentLast ? " last-sent" : "");
    }
}
