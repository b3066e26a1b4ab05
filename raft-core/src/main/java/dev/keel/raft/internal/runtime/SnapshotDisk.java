package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.internal.engine.RaftEngine;
import dev.keel.raft.internal.events.RaftEvents;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.SnapshotWriter;
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
 * The disk side of snapshot transfers: carries out the engine's {@link SnapshotTask}s on the background executor
 * (read a range of a stored snapshot; write a received chunk, verify and publish the whole; release a transfer's
 * reader or partial copy) and reports each result back to the engine on the event loop. Every decision (which chunk,
 * when, what to answer) is the engine's. Records the JFR InstallSnapshot event and the transfer telemetry.
 *
 * <p>Confined to the event loop, except the stream and writer work, which runs on the (single) background thread in
 * the order it was handed over.
 */
final class SnapshotDisk {
    private static final Logger log = LoggerFactory.getLogger(SnapshotDisk.class);

    /** The engine's inputs for disk results, always called on the event loop. */
    interface Engine {
        void chunkRead(SnapshotTask.ChunkRead read, byte[] data);

        void readFailed(SnapshotTask.ChunkRead read);

        void chunkWritten(SnapshotTask.ChunkWrite write);

        void stored(SnapshotTask.ChunkWrite last, SnapshotMetadata stored);

        void writeFailed(SnapshotTask.ChunkWrite write);
    }

    /** The engine's side, for the runtime. */
    static Engine engineHooks(RaftEngine engine) {
        return new Engine() {
            @Override
            public void chunkRead(SnapshotTask.ChunkRead read, byte[] data) {
                engine.snapshotChunkRead(read, data);
            }

            @Override
            public void readFailed(SnapshotTask.ChunkRead read) {
                engine.snapshotReadFailed(read);
            }

            @Override
            public void chunkWritten(SnapshotTask.ChunkWrite write) {
                engine.snapshotChunkWritten(write);
            }

            @Override
            public void stored(SnapshotTask.ChunkWrite last, SnapshotMetadata stored) {
                engine.snapshotStored(last, stored);
            }

            @Override
            public void writeFailed(SnapshotTask.ChunkWrite write) {
                engine.snapshotWriteFailed(write);
            }
        };
    }

    private final NodeId self;
    private final SnapshotStorage storage;
    private final Executor background;
    private final Consumer<Runnable> loop;
    private final Telemetry telemetry;
    private final Engine engine;
    private final Map<Long, Reader> readers = new HashMap<>();
    private final Map<Long, Writer> writers = new HashMap<>();

    /** A snapshot open for sending. The stream is used only on the background thread. */
    private static final class Reader {
        final RaftEvents.TransferSpan event = RaftEvents.installSnapshot();
        final SnapshotTask.ChunkRead first;
        InputStream in;
        long position;
        long handedBack;

        Reader(SnapshotTask.ChunkRead first) {
            this.first = first;
        }
    }

    /** A snapshot being received. The writer is used only on the background thread. */
    private static final class Writer {
        final NodeId leader;
        final SnapshotMetadata snapshot;
        final long startedNanos = System.nanoTime();
        final RaftEvents.TransferSpan event = RaftEvents.installSnapshot();
        SnapshotWriter writer;
        long bytes;
        boolean over;

        Writer(NodeId leader, SnapshotMetadata snapshot) {
            this.leader = leader;
            this.snapshot = snapshot;
        }

        /** Once, on the background thread, when the transfer ends. */
        void end(NodeId self, String outcome) {
            if (over) {
                return;
            }
            over = true;
            if (writer != null && !"installed".equals(outcome)) {
                writer.abort();
            }
            event.end(self.value(), leader.value(), "received", snapshot.index(), bytes, outcome);
        }
    }

    /**
     * @param loop      runs a task on the event loop
     * @param telemetry where the bytes and durations of transfers go
     */
    SnapshotDisk(NodeId self, SnapshotStorage storage, Executor background, Consumer<Runnable> loop,
                 Telemetry telemetry, Engine engine) {
        this.self = self;
        this.storage = storage;
        this.background = background;
        this.loop = loop;
        this.telemetry = telemetry;
        this.engine = engine;
    }

    /** Carries out the snapshot tasks of one Ready, in order. */
    void handle(List<SnapshotTask> tasks) {
        int i = 0;
        while (i < tasks.size()) {
            SnapshotTask t = tasks.get(i);
            if (t instanceof SnapshotTask.ChunkRead) {
                // Consecutive reads of one transfer are read in one background task and handed back in one event-loop
                // task: a window of chunks costs two thread hand-offs rather than two per chunk.
                List<SnapshotTask.ChunkRead> batch = new ArrayList<>();
                while (i < tasks.size() && tasks.get(i) instanceof SnapshotTask.ChunkRead r
                        && r.transfer() == t.transfer()) {
                    batch.add(r);
                    i++;
                }
                read(batch);
                continue;
            }
            if (t instanceof SnapshotTask.ChunkWrite w) {
                write(w);
            } else if (t instanceof SnapshotTask.Ended e) {
                ended(e);
            }
            i++;
        }
    }

    /** The server is closing: every transfer ends. */
    void close() {
        for (Reader r : readers.values()) {
            r.event.end(self.value(), r.first.peer().value(), "sent", r.first.snapshot().index(), r.handedBack,
                    "superseded");
            closeReader(r);
        }
        readers.clear();
        for (Writer w : writers.values()) {
            background.execute(() -> w.end(self, "superseded"));
        }
        writers.clear();
    }

    // ---- sending ------------------------------------------------------------------------------------------------

    private void read(List<SnapshotTask.ChunkRead> batch) {
        Reader reader = readers.computeIfAbsent(batch.get(0).transfer(), id -> new Reader(batch.get(0)));
        background.execute(() -> {
            List<byte[]> chunks = new ArrayList<>(batch.size());
            try {
                for (SnapshotTask.ChunkRead r : batch) {
                    chunks.add(readChunk(reader, r));
                }
            } catch (IOException e) {
                log.warn("{}: cannot read snapshot {} for {}", self, batch.get(0).snapshot(), batch.get(0).peer(), e);
                loop.accept(() -> engine.readFailed(batch.get(0)));
                return;
            }
            loop.accept(() -> {
                for (int i = 0; i < batch.size(); i++) {
                    reader.handedBack += chunks.get(i).length;
                    engine.chunkRead(batch.get(i), chunks.get(i));
                }
            });
        });
    }

    /** On the background thread. */
    private byte[] readChunk(Reader reader, SnapshotTask.ChunkRead r) throws IOException {
        if (reader.in == null || reader.position != r.offset()) {
            if (reader.in != null) {
                reader.in.close();
            }
            reader.in = storage.open(r.snapshot(), r.offset());
            reader.position = r.offset();
        }
        // readNBytes(byte[], ..) hands the stream the whole remaining length per call, so a large chunk is read
        // straight into the array; readNBytes(int) would read it in 8 KiB pieces and copy them together.
        byte[] data = new byte[r.length()];
        int read = reader.in.readNBytes(data, 0, r.length());
        if (read != r.length()) {
            throw new IOException("snapshot " + r.snapshot() + " ended at " + (r.offset() + read) + ", before its size");
        }
        reader.position += r.length();
        return data;
    }

    private void closeReader(Reader reader) {
        background.execute(() -> {
            if (reader.in != null) {
                try {
                    reader.in.close();
                } catch (IOException e) {
                    log.debug("{}: closing snapshot stream failed", self, e);
                }
            }
        });
    }

    // ---- receiving ----------------------------------------------------------------------------------------------

    private void write(SnapshotTask.ChunkWrite w) {
        Writer target = writers.get(w.transfer());
        if (target == null) {
            target = new Writer(w.leader(), w.snapshot());
            writers.put(w.transfer(), target);
        }
        target.bytes += w.data().length;
        telemetry.snapshotBytesReceived.add(w.data().length);
        Writer writer = target;
        background.execute(() -> {
            if (writer.over) {
                return;
            }
            try {
                if (writer.writer == null) {
                    writer.writer = storage.create(w.snapshot().index(), w.snapshot().term(),
                            w.snapshot().membership(), w.snapshot().membershipIndex());
                }
                writer.writer.stream().write(w.data());
                if (!w.last()) {
                    loop.accept(() -> engine.chunkWritten(w));
                    return;
                }
                long received = System.nanoTime();
                SnapshotMetadata stored = writer.writer.commitVerified(w.snapshot());
                long committed = System.nanoTime();
                log.info("{}: snapshot {} from {} received in {} ms, made durable in {} ms", self, stored.index(),
                        w.leader(), (received - writer.startedNanos) / 1_000_000, (committed - received) / 1_000_000);
                telemetry.installSnapshotDuration.record(committed - writer.startedNanos);
                writer.end(self, "installed");
                loop.accept(() -> {
                    writers.remove(w.transfer(), writer);
                    engine.stored(w, stored);
                });
            } catch (IOException | RuntimeException e) {
                log.warn("{}: storing snapshot {} from {} failed", self, w.snapshot(), w.leader(), e);
                writer.end(self, "failed");
                loop.accept(() -> {
                    writers.remove(w.transfer(), writer);
                    engine.writeFailed(w);
                });
            }
        });
    }

    private void ended(SnapshotTask.Ended e) {
        if (e.sending()) {
            // A transfer that ended before its first read has no reader yet; its event is recorded all the same.
            Reader reader = readers.remove(e.transfer());
            reader = reader == null ? new Reader(null) : reader;
            reader.event.end(self.value(), e.peer().value(), "sent", e.snapshot().index(), e.bytes(), e.outcome());
            closeReader(reader);
            return;
        }
        Writer writer = writers.remove(e.transfer());
        if (writer != null) {
            background.execute(() -> writer.end(self, e.outcome()));
        }
    }
}
