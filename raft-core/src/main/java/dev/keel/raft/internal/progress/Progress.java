package dev.keel.raft.internal.progress;

/**
 * The leader's view of one follower's log (Raft §5.3 nextIndex/matchIndex), with the flow control that decides
 * when to send it more.
 *
 * <p>In {@link State#PROBE} the leader does not know where the follower's log matches its own and sends one
 * AppendEntries at a time, backing up on each rejection. Once one is accepted it switches to
 * {@link State#REPLICATE} and streams entries optimistically, up to a window of unacknowledged messages.
 */
public final class Progress {

    /** Replication mode. */
    public enum State {
        /** Finding where the follower's log matches: one message at a time. */
        PROBE,
        /** Streaming entries, up to a window of unacknowledged messages. */
        REPLICATE,
        /** The follower needs entries compacted into a snapshot: a snapshot transfer is under way. */
        SNAPSHOT
    }

    /** How many heartbeat rounds without match progress (while messages are in flight) make the leader re-probe. */
    private static final int STALL_ROUNDS = 2;

    private final Inflights inflights;
    private State state = State.PROBE;
    private long match;
    private long next;
    private boolean probeSent;
    private boolean recentActive;
    private long pendingSnapshot;
    private long matchAtLastHeartbeat;
    private int stalledRounds;
    // The first index of the entries being read from disk for this follower, 0 when none is.
    private long loadingFrom;

    public Progress(long next, int maxInflight) {
        this.next = next;
        this.inflights = new Inflights(maxInflight);
    }

    public State state() {
        return state;
    }

    /** Highest index known to be replicated on the follower. */
    public long match() {
        return match;
    }

    /** Index of the next entry to send. */
    public long next() {
        return next;
    }

    /** Whether the leader must wait before sending more. */
    public boolean isPaused() {
        if (loadingFrom > 0) {
            return true;
        }
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.isFull();
            case SNAPSHOT -> true;
        };
    }

    /** The index of the snapshot being sent, in {@link State#SNAPSHOT}. */
    public long pendingSnapshot() {
        return pendingSnapshot;
    }

    /** Starts sending the snapshot ending at {@code snapshotIndex}; appends wait until it is installed. */
    public void becomeSnapshot(long snapshotIndex) {
        state = State.SNAPSHOT;
        pendingSnapshot = snapshotIndex;
        probeSent = false;
        inflights.reset();
        stalledRounds = 0;
    }

    /** The follower installed a snapshot: its log now matches up to {@code index}. Probing resumes after it. */
    public void onSnapshotInstalled(long index) {
        match = Math.max(match, index);
        becomeProbe();
    }

    /** The snapshot transfer failed: probe again, but only after the next heartbeat answer. */
    public void onSnapshotFailed() {
        becomeProbe();
        probeSent = true;
    }

    /**
     * The entries from {@code from} must be read from disk first: sending pauses until {@link #loadDone()}, so there
     * is never more than one load for this follower. The mark survives changes of state and position, because the
     * load is still under way; its answer is then recognised as stale by its index.
     */
    public void startLoad(long from) {
        if (loadingFrom > 0) {
            throw new IllegalStateException("a load from " + loadingFrom + " is already under way: " + this);
        }
        loadingFrom = from;
    }

    /** The first index of the load under way, or 0 when none is. */
    public long loadingFrom() {
        return loadingFrom;
    }

    /** The load under way has been answered; sending may resume. */
    public void loadDone() {
        loadingFrom = 0;
    }

    /**
     * The load failed: probe again, but only after the next heartbeat answer, so that a failing read is not repeated
     * in a tight loop.
     */
    public void loadFailed() {
        loadingFrom = 0;
        becomeProbe();
        probeSent = true;
    }

    /** Whether anything was heard from the follower since the last {@link #resetRecentActive()}. */
    public boolean recentActive() {
        return recentActive;
    }

    public void markActive() {
        recentActive = true;
    }

    public void resetRecentActive() {
        recentActive = false;
    }

    /** Starts probing from just after the match index. */
    public void becomeProbe() {
        state = State.PROBE;
        next = match + 1;
        probeSent = false;
        inflights.reset();
        stalledRounds = 0;
    }

    /** Starts streaming from just after the match index. */
    public void becomeReplicate() {
        state = State.REPLICATE;
        next = match + 1;
        probeSent = false;
        inflights.reset();
        stalledRounds = 0;
    }

    /** Records that an AppendEntries carrying entries up to {@code lastIndex} was sent. */
    public void onSent(long lastIndex, boolean hadEntries) {
        if (state == State.PROBE) {
            probeSent = true;
        } else if (hadEntries) {
            next = lastIndex + 1;
            inflights.add(lastIndex);
        }
    }

    /**
     * Records an acknowledgement that the follower's log matches up to {@code index}.
     *
     * @return whether the match index moved
     */
    public boolean onAccepted(long index) {
        if (index <= match) {
            // Stale or duplicated: it must not unblock another send, or every duplicate would start its own
            // never-ending exchange of probes and acknowledgements.
            return false;
        }
        match = index;
        next = Math.max(next, index + 1);
        probeSent = false;
        inflights.freeTo(index);
        return true;
    }

    /**
     * Handles a rejection of the AppendEntries whose {@code prevLogIndex} was {@code rejected}.
     *
     * @param nextHint where the leader computed the follower's log may match (from the follower's hint)
     * @return false if the rejection is stale (answers a message sent before the current position) and was ignored
     */
    public boolean onRejected(long rejected, long nextHint) {
        if (state == State.SNAPSHOT) {
            return false;
        }
        if (state == State.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            becomeProbe();
            next = Math.max(match + 1, Math.min(nextHint, rejected));
            return true;
        }
        if (rejected != next - 1) {
            return false;
        }
        next = Math.max(match + 1, Math.min(nextHint, rejected));
        probeSent = false;
        return true;
    }

    /**
     * A heartbeat reply arrived. Unblocks a probe whose message may have been lost, and falls back to probing when
     * messages have been in flight for several rounds without the match index moving (they were lost).
     */
    public void onHeartbeatResponse() {
        recentActive = true;
        if (state == State.SNAPSHOT) {
            return;
        }
        if (state == State.PROBE) {
            probeSent = false;
            return;
        }
        if (inflights.count() > 0 && match == matchAtLastHeartbeat) {
            if (++stalledRounds >= STALL_ROUNDS) {
                becomeProbe();
            }
        } else {
            stalledRounds = 0;
        }
        matchAtLastHeartbeat = match;
    }

    @Override
    public String toString() {
        return state + "[match=" + match + " next=" + next + " inflight=" + inflights.count()
                + (probeSent ? " probe-sent" : "") + (loadingFrom > 0 ? " loading=" + loadingFrom : "")
                + (state == State.SNAPSHOT ? " snapshot=" + pendingSnapshot : "")
                + "]";
    }
}
