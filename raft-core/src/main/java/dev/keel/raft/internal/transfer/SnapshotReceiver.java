package dev.keel.raft.internal.transfer;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's side of InstallSnapshot (Raft §7): at most one snapshot received at a time, its chunks taken strictly
 * in order. The expected chunk is handed to the driver to write ({@link SnapshotTask.ChunkWrite}) and acknowledged
 * once written, with the position wanted next, so the leader's window also bounds what waits for this disk. A
 * duplicate or out-of-order chunk is answered with the position wanted instead; a chunk of another snapshot, leader or
 * term supersedes the transfer; one that stops arriving for {@code 4 x electionTimeoutMax} ticks is abandoned. The
 * partial copy is never kept.
 *
 * <p>Owned by the engine, so a transfer outlives role changes within a term (a follower that campaigns and loses
 * resumes it).
 */
public final class SnapshotReceiver {
    private static final Logger log = LoggerFactory.getLogger(SnapshotReceiver.class);

    private final NodeId self;
    private final TransferOutput out;
    private final int timeoutTicks;
    private Incoming incoming;

    /** The snapshot being received. */
    private static final class Incoming {
        final long id;
        final NodeId leader;
        final long term;
        final SnapshotMetadata snapshot;
        long expected;
        long lastChunk;

        Incoming(long id, NodeId leader, long term, SnapshotMetadata snapshot, long now) {
            this.id = id;
            this.leader = leader;
            this.term = term;
            this.snapshot = snapshot;
            this.lastChunk = now;
        }
    }

    public SnapshotReceiver(NodeId self, RaftConfig config, TransferOutput out) {
        this.self = self;
        this.out = out;
        this.timeoutTicks = 4 * config.electionTimeoutMaxTicks();
    }

    /** A chunk the follower must store (its log does not cover the snapshot); {@code term} is this server's. */
    public void onChunk(InstallSnapshotRequest chunk, long term, long now) {
        Incoming in = incoming;
        if (in != null && (!in.snapshot.equals(chunk.snapshot()) || !in.leader.equals(chunk.from())
                || in.term != chunk.term())) {
            end(in, "superseded");
            in = null;
        }
        if (in == null) {
            if (chunk.offset() != 0) {
                ack(chunk.from(), chunk.snapshot(), term, 0);
                return;
            }
            in = new Incoming(out.newTransferId(), chunk.from(), chunk.term(), chunk.snapshot(), now);
            incoming = in;
            log.info("{}: receiving snapshot {} from {}", self, chunk.snapshot(), chunk.from());
        }
        if (chunk.offset() != in.expected) {
            ack(chunk.from(), chunk.snapshot(), term, in.expected);
            return;
        }
        in.expected += chunk.data().length;
        in.lastChunk = now;
        out.snapshotTask(new SnapshotTask.ChunkWrite(in.id, in.leader, in.snapshot, chunk.offset(), chunk.data(),
                chunk.done()));
    }

    /** The driver wrote {@code write}: acknowledged, unless it completed the snapshot or belongs to no transfer. */
    public void onWritten(SnapshotTask.ChunkWrite write, long term) {
        if (isCurrent(write) && !write.last()) {
            ack(write.leader(), write.snapshot(), term, write.offset() + write.data().length);
        }
    }

    /** The driver verified and stored the snapshot {@code last} completed: the transfer is over. */
    public void onStored(SnapshotTask.ChunkWrite last) {
        if (isCurrent(last)) {
            incoming = null;
        }
    }

    /** The driver could not store the snapshot: the transfer is over and the leader is told, so it starts over. */
    public void onWriteFailed(SnapshotTask.ChunkWrite write, long term) {
        if (isCurrent(write)) {
            incoming = null;
        }
        out.send(new InstallSnapshotResponse(self, write.leader(), term, write.snapshot().index(),
                InstallSnapshotResponse.Status.REJECTED, 0));
    }

    /** One tick: a transfer whose chunks stopped arriving is abandoned. */
    public void tick(long now) {
        if (incoming != null && now - incoming.lastChunk > timeoutTicks) {
            log.warn("{}: snapshot {} from {} stopped arriving; discarding the partial copy", self,
                    incoming.snapshot, incoming.leader);
            end(incoming, "abandoned");
        }
    }

    /** Whether a snapshot is being received. */
    public boolean receiving() {
        return incoming != null;
    }

    /** The position the running transfer wants next, or -1 when none runs. */
    public long expected() {
        return incoming == null ? -1 : incoming.expected;
    }

    private boolean isCurrent(SnapshotTask.ChunkWrite write) {
        return incoming != null && incoming.id == write.transfer();
    }

    private void end(Incoming in, String outcome) {
        incoming = null;
        out.snapshotTask(new SnapshotTask.Ended(in.id, in.leader, in.snapshot, false, in.expected, outcome));
    }

    private void ack(NodeId leader, SnapshotMetadata snapshot, long term, long position) {
        out.send(new InstallSnapshotResponse(self, leader, term, snapshot.index(),
                InstallSnapshotResponse.Status.CONTINUE, position));
    }
}
