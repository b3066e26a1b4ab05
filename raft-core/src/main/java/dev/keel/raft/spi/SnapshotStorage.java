package dev.keel.raft.spi;

import dev.keel.raft.Membership;
import dev.keel.raft.log.SnapshotMetadata;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Durable storage of state machine snapshots (Raft §7).
 *
 * <p>A snapshot is written through a {@link SnapshotWriter} to a temporary place and becomes visible only when
 * {@linkplain SnapshotWriter#commit() committed}: checksummed, synced and published atomically. A crash at any
 * moment leaves either the previous snapshots or the new one, never a partial snapshot that
 * {@link #latest()} would return. Implementations keep the newest few snapshots and delete older ones.
 *
 * <h2>Threading</h2>
 * Thread-safe: Keel writes snapshots on a background thread, reads them to send to followers on another, and asks
 * for {@link #latest()} from its event loop.
 *
 * <h2>Failures</h2>
 * I/O errors surface as {@link IOException}s from the calls that hit them; a snapshot found corrupt at open is
 * skipped (an older good one is used) and reported in the log.
 */
public interface SnapshotStorage extends AutoCloseable {

    /** The newest complete snapshot, if any. */
    Optional<SnapshotMetadata> latest();

    /**
     * Starts writing a snapshot of the state after entry {@code index}.
     *
     * @param index           the last log index the snapshot covers
     * @param term            the term of that entry
     * @param membership      the configuration in effect at {@code index}
     * @param membershipIndex the index of the entry that introduced it (0 for the bootstrap configuration)
     */
    SnapshotWriter create(long index, long term, Membership membership, long membershipIndex) throws IOException;

    /**
     * Opens a committed snapshot for reading from byte {@code offset}.
     *
     * @throws IOException if it no longer exists (deleted by retention) or cannot be read
     */
    InputStream open(SnapshotMetadata snapshot, long offset) throws IOException;

    /** Releases files and locks. Writers not yet committed are abandoned. Idempotent. */
    @Override
    void close();
}
