package dev.keel.raft.storage.internal;

import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A snapshot being written to its temporary file: header first, then the body as it is streamed, then (at commit)
 * the metadata trailer and a force; the {@link Publisher} then renames it into place. Any failure, an abort, or a
 * verified commit whose bytes do not match deletes the temporary file. Used by one thread at a time; only
 * {@link #abandon()} may come from another (the storage closing).
 */
public final class TempSnapshot implements SnapshotWriter {
    private static final Logger log = LoggerFactory.getLogger(TempSnapshot.class);

    /** The storage side of a commit. */
    public interface Publisher {
        /**
         * Makes the complete, forced temporary file {@code file} the committed snapshot {@code metadata}: atomic
         * rename, directory force, retention.
         */
        SnapshotMetadata publish(Path file, SnapshotMetadata metadata) throws IOException;

        /** The writer is done (committed or discarded); stop tracking it. */
        void forget(TempSnapshot writer);
    }

    private final Path file;
    private final FileChannel channel;
    private final SnapshotOutput out;
    private final long index;
    private final long term;
    private final dev.keel.raft.Membership membership;
    private final long membershipIndex;
    private final boolean fsync;
    private final Publisher publisher;
    private final AtomicBoolean done = new AtomicBoolean();

    private TempSnapshot(Path file, FileChannel channel, long index, long term, dev.keel.raft.Membership membership,
                         long membershipIndex, boolean fsync,
                         Publisher publisher) {
        this.file = file;
        this.channel = channel;
        this.out = new SnapshotOutput(channel, file, SnapshotHeader.BYTES);
        this.index = index;
        this.term = term;
        this.membership = membership;
        this.membershipIndex = membershipIndex;
        this.fsync = fsync;
        this.publisher = publisher;
    }

    /** Creates {@code file} (which must not exist) and writes the header. */
    public static TempSnapshot create(ChannelFactory channels, Path file, long index, long term,
                                      dev.keel.raft.Membership membership, long membershipIndex,
                                      boolean fsync, Publisher publisher) throws IOException {
        FileChannel ch = channels.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            FileIo.writeFully(ch, new SnapshotHeader(index, term).encode(), 0);
            return new TempSnapshot(file, ch, index, term, membership, membershipIndex, fsync, publisher);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    @Override
    public OutputStream stream() {
        return out;
    }

    @Override
    public SnapshotMetadata commit() throws IOException {
        return finish(null);
    }

    @Override
    public SnapshotMetadata commitVerified(SnapshotMetadata expected) throws IOException {
        return finish(java.util.Objects.requireNonNull(expected, "expected"));
    }

    private SnapshotMetadata finish(SnapshotMetadata expected) throws IOException {
        if (!done.compareAndSet(false, true)) {
            throw new IOException("snapshot writer for " + file + " already committed, aborted or abandoned");
        }
        out.finish("the writer is committing");
        try {
            out.drain();
            SnapshotMetadata actual = new SnapshotMetadata(index, term, membership, membershipIndex, out.size(),
                    out.checksum());
            if (expected != null && !actual.equals(expected)) {
                throw new IOException("the snapshot received does not match what the leader announced: expected "
                        + expected + ", received " + actual + "; discarded");
            }
            FileIo.writeFully(channel, SnapshotTrailer.encode(actual), out.end());
            if (fsync) {
                channel.force(true);
            }
            channel.close();
            SnapshotMetadata published = publisher.publish(file, actual);
            out.finish("the snapshot was committed");
            publisher.forget(this);
            return published;
        } catch (IOException | RuntimeException e) {
            discard("the commit failed");
            throw e;
        }
    }

    @Override
    public void abort() {
        if (done.compareAndSet(false, true)) {
            discard("the writer was aborted");
        }
    }

    /** The storage is closing: discard the snapshot, whichever thread is writing it. */
    public void abandon() {
        if (done.compareAndSet(false, true)) {
            discard("the snapshot storage was closed");
        }
    }

    private void discard(String why) {
        out.finish(why);
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("Closing {} failed", file, e);
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Harmless: the next open deletes leftover temporary files.
            log.warn("Could not delete the discarded snapshot file {}: {}", file, e.toString());
        }
        publisher.forget(this);
    }
}
