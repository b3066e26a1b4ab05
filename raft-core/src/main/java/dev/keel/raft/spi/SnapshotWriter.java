package dev.keel.raft.spi;

import dev.keel.raft.log.SnapshotMetadata;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A snapshot being written. Write the bytes to {@link #stream()}, then {@link #commit()}; or {@link #abort()}. Used by
 * one thread at a time.
 */
public interface SnapshotWriter extends AutoCloseable {

    /** Where the snapshot's bytes go. Do not close it; commit or abort instead. */
    OutputStream stream();

    /**
     * Makes the snapshot durable and visible: checksum, sync, atomic publish. Older snapshots beyond the storage's
     * retention are then deleted.
     *
     * @return the committed snapshot's metadata, with its size and checksum
     */
    SnapshotMetadata commit() throws IOException;

    /**
     * Like {@link #commit()}, but only if the bytes written have exactly the {@code expected} size and checksum (a
     * snapshot received from a leader); otherwise the snapshot is discarded and an {@link IOException} says why.
     */
    SnapshotMetadata commitVerified(SnapshotMetadata expected) throws IOException;

    /** Discards the snapshot and its temporary data. Idempotent; does nothing after a commit. */
    void abort();

    /** Aborts unless committed. */
    @Override
    default void close() {
        abort();
    }
}
