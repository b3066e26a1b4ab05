package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.internal.engine.SnapshotWork;
import dev.keel.raft.internal.events.RaftEvents;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.SnapshotWriter;
import dev.keel.raft.spi.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Streams snapshots between servers (InstallSnapshot, Raft §7) in bounded memory: the sender reads one chunk at a
 * time from disk on the background thread and keeps at most a window of chunks unacknowledged; the receiver writes
 * each chunk to disk as it arrives, acknowledges it once written, and verifies the whole before handing it to the
 * engine. Lost or reordered chunks are resent from the position the receiver asks for; a transfer that stops making
 * progress is abandoned.
 *
 * <p>Confined to the event loop, except the disk work, which runs on the background executor.
 */
final class SnapshotTransfers {
    private static final Logger log = LoggerFactory.getLogger(SnapshotTransfers.class);

    /** What the transfers tell the engine, always from the event loop. */
    interface Engine {
        void received(NodeId leader, SnapshotMetadata snapshot);

        void rejected(NodeId leader, SnapshotMetadata snapshot);

        void transferFailed(NodeId peer);

        long term();
    }

    /** The engine's side of transfers, for the runtime (event loop). */
    static Engine engineHooks(dev.keel.raft.internal.engine.RaftEngine engine) {
        return new Engine() {
            @Override
            public void received(NodeId leader, SnapshotMetadata snapshot) {
                engine.snapshotReceived(leader, snapshot);
            }

            @Override
            public void rejected(NodeId leader, SnapshotMetadata snapshot) {
                engine.snapshotRejected(leader, snapshot);
            }

            @Override
            public void transferFailed(NodeId peer) {
                engine.snapshotTransferFailed(peer);
            }

            @Override
            public long term() {
                return engine.term();
            }
        };
    }

    private final NodeId self;
    private final RaftConfig config;
    private final SnapshotStorage storage;
    private final Transport transport;
    private final Executor background;
    private final Consumer<Runnable> loop;
    private final Engine engine;
    private final Telemetry telemetry;
    private final int timeoutTicks;
    private final Map<NodeId, Outgoing> outgoing = new HashMap<>();
    private Incoming incoming;
    private long now;
    private long budget;

    /**
     * @param loop runs a task on the event loop
     * @param telemetry where the bytes and durations of transfers go
     */
    SnapshotTransfers(NodeId self, RaftConfig config, SnapshotStorage storage, Transport transport,
                      Executor background, Consumer<Runnable> loop, Telemetry telemetry, Engine engine) {
        this.self = self;
        this.config = config;
        this.storage = storage;
        this.transport = transport;
        this.background = background;
        this.loop = loop;
        this.engine = engine;
        this.telemetry = telemetry;
        this.timeoutTicks = 4 * config.electionTimeoutMaxTicks();
        this.budget = config.snapshotBytesPerSecond() == 0 ? Long.MAX_VALUE : config.snapshotChunkBytes();
    }

    /** Carries out the snapshot work of one Ready. */
    void handle(SnapshotWork work) {
        for (SnapshotWork.Send send : work.sends()) {
            start(send);
        }
        for (InstallSnapshotRequest chunk : work.chunks()) {
            onChunk(chunk);
        }
        for (InstallSnapshotResponse ack : work.acks()) {
            onAck(ack);
        }
    }

    /** One tick of time: refills the rate budget and abandons transfers that stopped making progress. */
    void tick() {
        now++;
        long rate = config.snapshotBytesPerSecond();
        if (rate > 0) {
            long perTick = Math.max(1, rate * config.tickInterval().toNanos() / 1_000_000_000L);
            budget = Math.min(Math.max(perTick, config.snapshotChunkBytes()), budget + perTick);
        }
        for (Outgoing o : new ArrayList<>(outgoing.values())) {
            if (now - o.lastProgress > timeoutTicks) {
                log.warn("{}: snapshot transfer of {} to {} made no progress; abandoning it", self, o.snapshot,
                        o.peer);
                finish(o, "abandoned");
                engine.transferFailed(o.peer);
            } else {
                if (now - o.lastProgress > config.electionTimeoutMinTicks() && o.sent > o.acked
                        && now - o.lastRewind > config.electionTimeoutMinTicks()) {
                    // Nothing acknowledged for a while: chunks were lost; resend from the last acknowledged byte.
                    o.sent = o.acked;
                    o.sentLast = false;
                    o.lastRewind = now;
                }
                pump(o);
            }
        }
        if (incoming != null && now - incoming.lastChunk > timeoutTicks) {
            log.warn("{}: snapshot {} from {} stopped arriving; discarding the partial copy", self, incoming.snapshot,
                    incoming.leader);
            abandon(incoming, "abandoned");
            incoming = null;
        }
    }

    /** This server stopped leading: its transfers end. */
    void stopSending() {
        for (Outgoing o : new ArrayList<>(outgoing.values())) {
            finish(o, "superseded");
        }
    }

    /** The server is closing. */
    void close() {
        stopSending();
        if (incoming != null) {
            abandon(incoming, "superseded");
            incoming = null;
        }
    }

    // ---- sending ------------------------------------------------------------------------------------------------

    /** A transfer to one follower. The stream is used only on the background thread. */
    private static final class Outgoing {
        final NodeId peer;
        final long term;
        final SnapshotMetadata snapshot;
        long acked;
        long sent;
        boolean reading;
        boolean finished;
        boolean sentLast;
        long lastProgress;
        long lastRewind;
        long bytesSent;
        InputStream in;
        long inPosition;
        final RaftEvents.TransferSpan event = RaftEvents.installSnapshot();

        Outgoing(NodeId peer, long term, SnapshotMetadata snapshot, long now) {
            this.peer = peer;
            this.term = term;
            this.snapshot = snapshot;
            this.lastProgress = now;
        }
    }

    private void start(SnapshotWork.Send send) {
        Outgoing old = outgoing.get(send.peer());
        if (old != null) {
            finish(old, "superseded");
        }
        Outgoing o = new Outgoing(send.peer(), send.term(), send.snapshot(), now);
        outgoing.put(send.peer(), o);
        log.info("{}: sending snapshot {} to {}", self, send.snapshot(), send.peer());
        pump(o);
    }

    /**
     * Sends what the window allows. The chunks are read in one background task and sent in one event-loop task, so
     * that a window of chunks costs two thread hand-offs rather than two per chunk.
     */
    private void pump(Outgoing o) {
        long window = (long) config.snapshotInflightChunks() * config.snapshotChunkBytes();
        // Refilled once half the window is free, not on every acknowledgement: each refill costs a background read
        // task and an event-loop send task, so this moves half a window per pair of hand-offs instead of one chunk.
        long refillAt = config.snapshotInflightChunks() > 1 ? window / 2 : 0;
        if (o.finished || o.reading || o.sentLast || o.sent - o.acked > refillAt || budget <= 0) {
            return;
        }
        long offset = o.sent;
        long allowed = Math.min(window - (o.sent - o.acked), budget);
        long end = Math.min(o.snapshot.size(), offset + Math.max(allowed, 1));
        List<long[]> ranges = new ArrayList<>();
        long at = offset;
        do {
            int length = (int) Math.min(config.snapshotChunkBytes(), end - at);
            ranges.add(new long[]{at, length});
            at += length;
        } while (at < end);
        o.reading = true;
        background.execute(() -> {
            List<byte[]> chunks = new ArrayList<>(ranges.size());
            try {
                for (long[] r : ranges) {
                    chunks.add(read(o, r[0], (int) r[1]));
                }
            } catch (IOException e) {
                loop.accept(() -> {
                    o.reading = false;
                    if (!o.finished) {
                        log.warn("{}: cannot read snapshot {} for {}", self, o.snapshot, o.peer, e);
                        finish(o, "failed");
                        engine.transferFailed(o.peer);
                    }
                });
                return;
            }
            loop.accept(() -> {
                o.reading = false;
                if (o.finished || offset != o.sent) {
                    pump(o);
                    return;
                }
                for (int i = 0; i < chunks.size(); i++) {
                    long chunkOffset = ranges.get(i)[0];
                    byte[] data = chunks.get(i);
                    boolean last = chunkOffset + data.length == o.snapshot.size();
                    transport.send(new InstallSnapshotRequest(self, o.peer, o.term, o.snapshot, chunkOffset, data,
                            last));
                    o.sent = chunkOffset + data.length;
                    o.sentLast = last;
                    o.bytesSent += data.length;
                    telemetry.snapshotBytesSent.add(data.length);
                    if (budget != Long.MAX_VALUE) {
                        budget -= data.length;
                    }
                }
                pump(o);
            });
        });
    }

    /** On the background thread. */
    private byte[] read(Outgoing o, long offset, int length) throws IOException {
        if (o.in == null || o.inPosition != offset) {
            if (o.in != null) {
                o.in.close();
            }
            o.in = storage.open(o.snapshot, offset);
            o.inPosition = offset;
        }
        // readNBytes(byte[], ..) hands the stream the whole remaining length per call, so a large chunk is read
        // straight into the array; readNBytes(int) would read it in 8 KiB pieces and copy them together.
        byte[] data = new byte[length];
        int read = o.in.readNBytes(data, 0, length);
        if (read != length) {
            throw new IOException("snapshot " + o.snapshot + " ended at " + (offset + read) + ", before its size");
        }
        o.inPosition += length;
        return data;
    }

    private void onAck(InstallSnapshotResponse ack) {
        Outgoing o = outgoing.get(ack.from());
        if (o == null || ack.snapshotIndex() != o.snapshot.index()) {
            return;
        }
        o.lastProgress = now;
        switch (ack.status()) {
            case CONTINUE -> {
                if (ack.position() > o.acked) {
                    o.acked = ack.position();
                } else if (ack.position() < o.sent) {
                    // The follower lacks a chunk (lost or reordered): resend from where it asks.
                    o.sent = ack.position();
                    o.acked = ack.position();
                    o.sentLast = false;
                }
                pump(o);
            }
            case INSTALLED -> finish(o, "installed");
            case REJECTED -> finish(o, "rejected");
        }
    }

    private void finish(Outgoing o, String outcome) {
        o.finished = true;
        outgoing.remove(o.peer, o);
        o.event.end(self.value(), o.peer.value(), "sent", o.snapshot.index(), o.bytesSent, outcome);
        background.execute(() -> {
            if (o.in != null) {
                try {
                    o.in.close();
                } catch (IOException e) {
                    log.debug("{}: closing snapshot stream failed", self, e);
                }
            }
        });
    }

    // ---- receiving ----------------------------------------------------------------------------------------------

    /** A transfer from the leader. The writer is used only on the background thread. */
    private static final class Incoming {
        final NodeId leader;
        final long term;
        final SnapshotMetadata snapshot;
        long expected;
        long lastChunk;
        final long startedNanos = System.nanoTime();
        final RaftEvents.TransferSpan event = RaftEvents.installSnapshot();
        boolean eventDone;
        SnapshotWriter writer;
        boolean failed;

        Incoming(NodeId leader, long term, SnapshotMetadata snapshot, long now) {
            this.leader = leader;
            this.term = term;
            this.snapshot = snapshot;
            this.lastChunk = now;
        }

        /** Once, when the transfer ends (any thread, after the last use of the writer). */
        void ended(NodeId self, String outcome) {
            if (eventDone) {
                return;
            }
            eventDone = true;
            event.end(self.value(), leader.value(), "received", snapshot.index(), expected, outcome);
        }
    }

    private void onChunk(InstallSnapshotRequest chunk) {
        Incoming in = incoming;
        if (in != null && (!in.snapshot.equals(chunk.snapshot()) || !in.leader.equals(chunk.from())
                || in.term != chunk.term())) {
            abandon(in, "superseded");
            in = null;
            incoming = null;
        }
        if (in == null) {
            if (chunk.offset() != 0) {
                reply(chunk, 0);
                return;
            }
            Incoming created = new Incoming(chunk.from(), chunk.term(), chunk.snapshot(), now);
            in = created;
            incoming = created;
            log.info("{}: receiving snapshot {} from {}", self, chunk.snapshot(), chunk.from());
            background.execute(() -> {
                try {
                    created.writer = storage.create(created.snapshot.index(), created.snapshot.term(),
                            created.snapshot.membership(), created.snapshot.membershipIndex());
                } catch (IOException e) {
                    failed(created, e);
                }
            });
        }
        if (chunk.offset() != in.expected) {
            reply(chunk, in.expected);
            return;
        }
        in.expected += chunk.data().length;
        in.lastChunk = now;
        telemetry.snapshotBytesReceived.add(chunk.data().length);
        Incoming target = in;
        byte[] data = chunk.data();
        boolean last = chunk.done();
        long position = in.expected;
        background.execute(() -> {
            if (target.failed) {
                return;
            }
            try {
                target.writer.stream().write(data);
                if (!last) {
                    // Acknowledged once written, not on arrival: the leader's window then bounds what waits here
                    // for the disk too, so a disk slower than the network cannot pile chunks up in memory.
                    loop.accept(() -> {
                        if (incoming == target) {
                            reply(chunk, position);
                        }
                    });
                } else {
                    long received = System.nanoTime();
                    SnapshotMetadata stored = target.writer.commitVerified(target.snapshot);
                    long committed = System.nanoTime();
                    log.info("{}: snapshot {} from {} received in {} ms, made durable in {} ms", self,
                            stored.index(), target.leader, (received - target.startedNanos) / 1_000_000,
                            (committed - received) / 1_000_000);
                    telemetry.installSnapshotDuration.record(committed - target.startedNanos);
                    target.ended(self, "installed");
                    loop.accept(() -> {
                        if (incoming == target) {
                            incoming = null;
                        }
                        engine.received(target.leader, stored);
                    });
                }
            } catch (IOException | RuntimeException e) {
                failed(target, e);
            }
        });
    }

    /** On the background thread. */
    private void failed(Incoming in, Exception e) {
        in.failed = true;
        if (in.writer != null) {
            in.writer.abort();
        }
        in.ended(self, "failed");
        log.warn("{}: storing snapshot {} from {} failed", self, in.snapshot, in.leader, e);
        loop.accept(() -> {
            if (incoming == in) {
                incoming = null;
            }
            engine.rejected(in.leader, in.snapshot);
        });
    }

    private void abandon(Incoming in, String outcome) {
        background.execute(() -> {
            if (in.failed) {
                return;
            }
            in.failed = true;
            if (in.writer != null) {
                in.writer.abort();
            }
            in.ended(self, outcome);
        });
    }

    private void reply(InstallSnapshotRequest chunk, long position) {
        transport.send(new InstallSnapshotResponse(self, chunk.from(), engine.term(), chunk.snapshot().index(),
                InstallSnapshotResponse.Status.CONTINUE, position));
    }

    /** Transfers in progress, for status and tests. */
    List<NodeId> sendingTo() {
        return List.copyOf(outgoing.keySet());
    }
}
