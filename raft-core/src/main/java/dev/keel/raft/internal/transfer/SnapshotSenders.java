package dev.keel.raft.internal.transfer;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A leader's snapshot transfers (InstallSnapshot, Raft §7), one per follower, in bounded memory: at most
 * {@code snapshotInflightChunks} chunks unacknowledged, refilled once half the window is free; a rewind to the last
 * acknowledged byte after {@code electionTimeoutMin} ticks without an acknowledgement (chunks were lost); abandoned
 * after {@code 4 x electionTimeoutMax} ticks without one; and no faster than {@code snapshotBytesPerSecond}, a budget
 * refilled every tick and shared by all transfers. Chunks are read from disk by the driver ({@link
 * SnapshotTask.ChunkRead}) and sent from here once their bytes come back.
 *
 * <p>Lives as long as the leader role; ending it ({@link #stopAll}) ends every transfer.
 */
public final class SnapshotSenders {
    private static final Logger log = LoggerFactory.getLogger(SnapshotSenders.class);

    private final NodeId self;
    private final RaftConfig config;
    private final TransferOutput out;
    private final int timeoutTicks;
    private final Map<NodeId, SnapshotSender> senders = new TreeMap<>();
    private long budget;

    public SnapshotSenders(NodeId self, RaftConfig config, TransferOutput out) {
        this.self = self;
        this.config = config;
        this.out = out;
        this.timeoutTicks = 4 * config.electionTimeoutMaxTicks();
        this.budget = config.snapshotBytesPerSecond() == 0 ? Long.MAX_VALUE : config.snapshotChunkBytes();
    }

    /** Starts sending {@code snapshot} to {@code peer}; a transfer already running to it is superseded. */
    public void start(NodeId peer, long term, SnapshotMetadata snapshot, long now) {
        SnapshotSender old = senders.get(peer);
        if (old != null) {
            finish(old, "superseded");
        }
        SnapshotSender s = new SnapshotSender(out.newTransferId(), peer, term, snapshot, now);
        senders.put(peer, s);
        log.info("{}: sending snapshot {} to {}", self, snapshot, peer);
        pump(s);
    }

    /**
     * One tick: refills the rate budget, rewinds transfers whose chunks went unacknowledged, abandons those that made
     * no progress for too long.
     *
     * @return the followers whose transfers were abandoned
     */
    public List<NodeId> tick(long now) {
        long rate = config.snapshotBytesPerSecond();
        if (rate > 0) {
            long perTick = Math.max(1, rate * config.tickInterval().toNanos() / 1_000_000_000L);
            budget = Math.min(Math.max(perTick, config.snapshotChunkBytes()), budget + perTick);
        }
        List<NodeId> abandoned = new ArrayList<>();
        for (SnapshotSender s : new ArrayList<>(senders.values())) {
            if (now - s.lastProgress > timeoutTicks) {
                log.warn("{}: snapshot transfer of {} to {} made no progress; abandoning it", self, s.snapshot(),
                        s.peer());
                finish(s, "abandoned");
                abandoned.add(s.peer());
                continue;
            }
            int quiet = config.electionTimeoutMinTicks();
            if (now - s.lastProgress > quiet && s.sent > s.acked && now - s.lastRewind > quiet) {
                // Nothing acknowledged for a while: chunks were lost; resend from the last acknowledged byte.
                s.sent = s.acked;
                s.sentLast = false;
                s.lastRewind = now;
            }
            pump(s);
        }
        return abandoned;
    }

    /**
     * A follower's answer about a chunk or the whole snapshot. An answer about another snapshot, or from a follower
     * with no transfer, is ignored.
     */
    public void onAck(InstallSnapshotResponse ack, long now) {
        SnapshotSender s = senders.get(ack.from());
        if (s == null || ack.snapshotIndex() != s.snapshot().index()) {
            return;
        }
        s.lastProgress = now;
        switch (ack.status()) {
            case CONTINUE -> {
                if (ack.position() > s.acked) {
                    s.acked = ack.position();
                } else if (ack.position() < s.sent) {
                    // The follower lacks a chunk (lost or reordered): resend from where it asks.
                    s.sent = ack.position();
                    s.acked = ack.position();
                    s.sentLast = false;
                }
                pump(s);
            }
            case INSTALLED -> finish(s, "installed");
            case REJECTED -> finish(s, "rejected");
        }
    }

    /** The driver read a chunk: it is sent if it is still the next one the transfer needs. */
    public void onChunkRead(SnapshotTask.ChunkRead read, byte[] data) {
        SnapshotSender s = current(read);
        if (s == null) {
            return;
        }
        if (data.length != read.length()) {
            throw new IllegalArgumentException("asked for " + read.length() + " bytes of snapshot "
                    + read.snapshot() + " at " + read.offset() + ", got " + data.length);
        }
        s.reading--;
        if (read.offset() == s.sent) {
            boolean last = read.offset() + data.length == s.snapshot().size();
            out.send(new InstallSnapshotRequest(self, s.peer(), s.term(), s.snapshot(), read.offset(), data, last));
            s.sent = read.offset() + data.length;
            s.sentLast = last;
            s.bytesSent += data.length;
            if (budget != Long.MAX_VALUE) {
                budget -= data.length;
            }
        }
        pump(s);
    }

    /**
     * The driver could not read the snapshot for {@code read}'s transfer, which therefore fails.
     *
     * @return the follower whose transfer failed, or {@code null} if the read belonged to no running transfer
     */
    public NodeId onReadFailed(SnapshotTask.ChunkRead read) {
        SnapshotSender s = current(read);
        if (s == null) {
            return null;
        }
        log.warn("{}: cannot read snapshot {} for {}; the transfer fails", self, s.snapshot(), s.peer());
        finish(s, "failed");
        return s.peer();
    }

    /** Ends every transfer (this server stops leading). */
    public void stopAll(String outcome) {
        for (SnapshotSender s : new ArrayList<>(senders.values())) {
            finish(s, outcome);
        }
    }

    /** The transfer to {@code peer}, or {@code null}. */
    public SnapshotSender sender(NodeId peer) {
        return senders.get(peer);
    }

    /** The rate budget left for this tick, in bytes ({@link Long#MAX_VALUE} when unlimited). */
    public long budget() {
        return budget;
    }

    private SnapshotSender current(SnapshotTask.ChunkRead read) {
        SnapshotSender s = senders.get(read.peer());
        return s != null && s.id() == read.transfer() ? s : null;
    }

    /**
     * Asks for what the window and the budget allow. Refilled once half the window is free, not on every
     * acknowledgement: each refill costs the driver a disk read and a hand-off back, so this moves half a window per
     * pair of hand-offs instead of one chunk.
     */
    private void pump(SnapshotSender s) {
        long chunk = config.snapshotChunkBytes();
        long window = (long) config.snapshotInflightChunks() * chunk;
        long refillAt = config.snapshotInflightChunks() > 1 ? window / 2 : 0;
        if (s.reading > 0 || s.sentLast || s.sent - s.acked > refillAt || budget <= 0) {
            return;
        }
        long allowed = Math.min(window - (s.sent - s.acked), budget);
        long end = Math.min(s.snapshot().size(), s.sent + Math.max(allowed, 1));
        long at = s.sent;
        do {
            int length = (int) Math.min(chunk, end - at);
            out.snapshotTask(new SnapshotTask.ChunkRead(s.id(), s.peer(), s.snapshot(), at, length));
            s.reading++;
            at += length;
        } while (at < end);
    }

    private void finish(SnapshotSender s, String outcome) {
        senders.remove(s.peer(), s);
        out.snapshotTask(new SnapshotTask.Ended(s.id(), s.peer(), s.snapshot(), true, s.bytesSent, outcome));
    }
}
