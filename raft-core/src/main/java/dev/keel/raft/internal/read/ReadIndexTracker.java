package dev.keel.raft.internal.read;

import dev.keel.raft.NodeId;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's ReadIndex bookkeeping (thesis §6.4). A read records the commit index as its read index, then waits
 * until a majority has answered a heartbeat round started after the read arrived: at that moment no other leader
 * can have existed, so the read index covers every write acknowledged before the read began.
 *
 * <p>Reads registered since the last round share the next one, and the leader starts a round only once the previous
 * one is confirmed, so any number of concurrent reads cost one heartbeat round per round trip. Rounds are numbered by a sequence carried in {@code Heartbeat.readSeq} and echoed back.
 */
public final class ReadIndexTracker {
    private final NodeId self;
    private final Map<NodeId, Long> ackedSeq = new HashMap<>();
    private final List<PendingRead> unassigned = new ArrayList<>();
    private final ArrayDeque<PendingRead> waiting = new ArrayDeque<>();
    private long latestSeq;

    /**
     * @param self the leader
     */
    public ReadIndexTracker(NodeId self) {
        this.self = self;
    }

    /** Sequence of the latest round started; heartbeats carry it. */
    public long latestSeq() {
        return latestSeq;
    }

    /** Registers a read; it joins the next round. */
    public void add(long requestId, NodeId requester, long readIndex, long tick) {
        unassigned.add(new PendingRead(requestId, requester, readIndex, 0, tick));
    }

    /**
     * Starts a round for the reads registered since the last one.
     *
     * @return true if a round was started (the caller then sends heartbeats to every peer)
     */
    public boolean startRoundIfNeeded() {
        if (unassigned.isEmpty()) {
            return false;
        }
        latestSeq++;
        for (PendingRead r : unassigned) {
            waiting.add(new PendingRead(r.requestId(), r.requester(), r.readIndex(), latestSeq, r.issuedTick()));
        }
        unassigned.clear();
        return true;
    }

    /** Records that {@code peer} answered the heartbeat of round {@code seq}. */
    public void onAck(NodeId peer, long seq) {
        if (seq > 0 && seq <= latestSeq) {
            ackedSeq.merge(peer, seq, Math::max);
        }
    }

    /** The latest round {@code peer} answered; {@link #latestSeq()} for the leader itself. */
    public long ackedSeq(NodeId peer) {
        return peer.equals(self) ? latestSeq : ackedSeq.getOrDefault(peer, 0L);
    }

    /** Whether reads wait for the next round to start. */
    public boolean hasUnassigned() {
        return !unassigned.isEmpty();
    }

    /** Whether reads wait for confirmation. */
    public boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /**
     * Removes and returns the reads whose round is at or below {@code confirmedSeq} (the latest round a quorum has
     * answered) and whose read index is committed, in arrival order.
     */
    public List<PendingRead> releaseConfirmed(long commitIndex, long confirmedSeq) {
        if (waiting.isEmpty()) {
            return List.of();
        }
        long confirmed = confirmedSeq;
        List<PendingRead> out = new ArrayList<>();
        while (!waiting.isEmpty()) {
            PendingRead r = waiting.peek();
            if (r.seq() > confirmed || r.readIndex() > commitIndex) {
                break;
            }
            out.add(waiting.poll());
        }
        return out;
    }

    /** Removes and returns reads (confirmed or not) that arrived at or before {@code tick}. */
    public List<PendingRead> expire(long tick) {
        List<PendingRead> out = new ArrayList<>();
        while (!waiting.isEmpty() && waiting.peek().issuedTick() <= tick) {
            out.add(waiting.poll());
        }
        unassigned.removeIf(r -> {
            if (r.issuedTick() <= tick) {
                out.add(r);
                return true;
            }
            return false;
        });
        return out;
    }

    /** Removes and returns every pending read (the leader is stepping down). */
    public List<PendingRead> drainAll() {
        List<PendingRead> out = new ArrayList<>(waiting);
        out.addAll(unassigned);
        waiting.clear();
        unassigned.clear();
        return out;
    }

    /** Number of reads pending. */
    public int size() {
        return waiting.size() + unassigned.size();
    }

    @Override
    public String toString() {
        return "ReadIndexTracker[" + self + " seq=" + latestSeq + " pending=" + size() + "]";
    }
}
