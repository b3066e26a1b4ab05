package dev.keel.raft.testing;

import dev.keel.raft.Membership;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.SnapshotWriter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * A {@link SnapshotStorage} in memory. A committed snapshot is durable at once (it survives a simulated crash, since
 * the simulator keeps this object); one being written is lost with the writer. Keeps the newest {@code retain}
 * snapshots. Thread-safe.
 */
public final class InMemorySnapshotStorage implements SnapshotStorage {
    private final int retain;
    private final TreeMap<Long, Stored> snapshots = new TreeMap<>();
    private boolean closed;

    private record Stored(SnapshotMetadata metadata, byte[] bytes) {
    }

    /** Keeps the newest two snapshots. */
    public InMemorySnapshotStorage() {
        this(2);
    }

    /**
     * @param retain how many of the newest committed snapshots to keep (older ones are dropped as new ones commit);
     *               at least 1
     * @throws IllegalArgumentException if {@code retain} is below 1
     */
    public InMemorySnapshotStorage(int retain) {
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be >= 1, was " + retain);
        }
        this.retain = retain;
    }

    @Override
    public synchronized Optional<SnapshotMetadata> latest() {
        Map.Entry<Long, Stored> e = snapshots.lastEntry();
        return e == null ? Optional.empty() : Optional.of(e.getValue().metadata());
    }

    /** Number of snapshots held. */
    public synchronized int count() {
        return snapshots.size();
    }

    @Override
    public SnapshotWriter create(long index, long term, Membership membership, long membershipIndex)
            throws IOException {
        checkOpen();
        return new Writer(index, term, membership, membershipIndex);
    }

    @Override
    public synchronized InputStream open(SnapshotMetadata snapshot, long offset) throws IOException {
        checkOpen();
        Stored s = snapshots.get(snapshot.index());
        if (s == null || !s.metadata().equals(snapshot)) {
            throw new IOException("snapshot " + snapshot + " is no longer stored");
        }
        if (offset < 0 || offset > s.bytes().length) {
            throw new IOException("offset " + offset + " is outside snapshot " + snapshot);
        }
        return new ByteArrayInputStream(s.bytes(), (int) offset, s.bytes().length - (int) offset);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /** The storage after a crash: committed snapshots survive. */
    public synchronized InMemorySnapshotStorage reopen() {
        InMemorySnapshotStorage copy = new InMemorySnapshotStorage(retain);
        copy.snapshots.putAll(snapshots);
        return copy;
    }

    private synchronized void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("snapshot storage is closed");
        }
    }

    private synchronized SnapshotMetadata publish(SnapshotMetadata metadata, byte[] bytes) throws IOException {
        checkOpen();
        snapshots.put(metadata.index(), new Stored(metadata, bytes));
        while (snapshots.size() > retain) {
            snapshots.pollFirstEntry();
        }
        return metadata;
    }

    private final class Writer implements SnapshotWriter {
        private final long index;
        private final long term;
        private final Membership membership;
        private final long membershipIndex;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private boolean done;

        Writer(long index, long term, Membership membership, long membershipIndex) {
            this.index = index;
            this.term = term;
            this.membership = membership;
            this.membershipIndex = membershipIndex;
        }

        @Override
        public OutputStream stream() {
            return buffer;
        }

        private SnapshotMetadata metadata(byte[] bytes) {
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            return new SnapshotMetadata(index, term, membership, membershipIndex, bytes.length, crc.getValue());
        }

        @Override
        public SnapshotMetadata commit() throws IOException {
            if (done) {
                throw new IOException("snapshot writer already finished");
            }
            done = true;
            byte[] bytes = buffer.toByteArray();
            return publish(metadata(bytes), bytes);
        }

        @Override
        public SnapshotMetadata commitVerified(SnapshotMetadata expected) throws IOException {
            if (done) {
                throw new IOException("snapshot writer already finished");
            }
            done = true;
            byte[] bytes = buffer.toByteArray();
            SnapshotMetadata actual = metadata(bytes);
            if (!actual.equals(expected)) {
                throw new IOException("received snapshot does not match what the leader sent: expected " + expected
                        + ", got " + actual);
            }
            return publish(actual, bytes);
        }

        @Override
        public void abort() {
            done = true;
        }
    }
}
