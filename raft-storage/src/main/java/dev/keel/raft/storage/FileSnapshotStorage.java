package dev.keel.raft.storage;

import dev.keel.raft.Membership;
import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.SnapshotWriter;
import dev.keel.raft.storage.internal.ChannelFactory;
import dev.keel.raft.storage.internal.DirectoryLock;
import dev.keel.raft.storage.internal.FileIo;
import dev.keel.raft.storage.internal.SnapshotFiles;
import dev.keel.raft.storage.internal.SnapshotInputStream;
import dev.keel.raft.storage.internal.SnapshotRecovery;
import dev.keel.raft.storage.internal.TempSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A durable {@link SnapshotStorage} in a directory of one file per snapshot. See {@code raft-storage/README.md} for
 * the file format, retention and recovery rules.
 *
 * <h2>Writing</h2>
 * {@link #create} opens a temporary file; the snapshot's bytes are streamed into it through a fixed 1 MiB buffer
 * (never held in memory) and checksummed (CRC32C) on the way. {@link SnapshotWriter#commit() commit} appends the
 * metadata (index, term, configuration, size, checksum, format version, and a checksum of the metadata itself), forces
 * the file, renames it atomically to its final name and forces the directory; only then is it returned by
 * {@link #latest()}. Older snapshots beyond {@link SnapshotStorageConfig#retainedSnapshots()} are then deleted.
 * {@link SnapshotWriter#commitVerified commitVerified} first checks the size and checksum against what the leader
 * announced and discards the snapshot if they differ. A crash at any point leaves the previous snapshots and at
 * most a temporary file, which the next open deletes.
 *
 * <h2>Lifecycle</h2>
 * {@link #open(SnapshotStorageConfig)} locks the directory (a second open, from this or another process, fails with
 * a {@link StorageException}), deletes stale temporary files and verifies every snapshot in full (header, version,
 * metadata checksum, size, body checksum). A snapshot that fails is never returned: it is logged at WARN and moved
 * aside as {@code *.unusable}, and the newest good one is used. {@link #close()} abandons uncommitted writers
 * (deleting their files) and releases the lock; streams already returned by {@link #open(SnapshotMetadata, long)}
 * stay readable until closed.
 *
 * <h2>Threading</h2>
 * Thread-safe. {@link #latest()} never blocks (the event loop calls it); commits, reads and retention are serialized
 * by a lock held only for renames, directory forces and deletions, never while a snapshot's bytes are written or
 * forced, so several snapshots may be written at once. Each {@link SnapshotWriter} is used by one thread at a time.
 *
 * <h2>Failures</h2>
 * I/O errors surface as {@link IOException}s from the call that hit them, and the snapshot concerned is discarded;
 * the storage stays usable (Keel retries a snapshot later, and the log is purged only after a commit returned).
 * A snapshot damaged on disk after open is caught when it is read from the start: the read that delivers its last
 * bytes fails.
 */
public final class FileSnapshotStorage implements SnapshotStorage {
    private static final Logger log = LoggerFactory.getLogger(FileSnapshotStorage.class);

    private final SnapshotStorageConfig config;
    private final ChannelFactory channels;
    private final DirectoryLock lock;
    private final boolean fsync;
    private final AtomicLong writerIds = new AtomicLong();
    private final Set<TempSnapshot> writers = ConcurrentHashMap.newKeySet();
    private final TempSnapshot.Publisher publisher = new Publisher();
    /** Guarded by {@code this} for writes; replaced, never mutated, so {@link #latest()} reads it without locking. */
    private volatile NavigableMap<Long, SnapshotMetadata> snapshots;
    private boolean closed;

    private FileSnapshotStorage(SnapshotStorageConfig config, ChannelFactory channels, DirectoryLock lock,
                                TreeMap<Long, SnapshotMetadata> found) {
        this.config = config;
        this.channels = channels;
        this.lock = lock;
        this.fsync = config.fsyncPolicy() == FsyncPolicy.ALWAYS;
        this.snapshots = Collections.unmodifiableNavigableMap(found);
    }

    /**
     * Opens (creating if needed) the snapshot storage in {@code config.directory()}.
     *
     * @throws StorageException if the directory is locked by another storage or process, or cannot be created, listed
     *                          or cleaned up; damaged snapshots do not fail the open, they are set aside
     */
    public static FileSnapshotStorage open(SnapshotStorageConfig config) {
        return open(config, ChannelFactory.DEFAULT);
    }

    /** As {@link #open(SnapshotStorageConfig)}, with channels opened by {@code channels}: the seam for fault tests. */
    static FileSnapshotStorage open(SnapshotStorageConfig config, ChannelFactory channels) {
        Objects.requireNonNull(config, "config");
        Path dir = config.directory();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StorageException("cannot create snapshot directory " + dir + ": " + e, e);
        }
        DirectoryLock lock = DirectoryLock.acquire(dir, "snapshot");
        try {
            boolean fsync = config.fsyncPolicy() == FsyncPolicy.ALWAYS;
            TreeMap<Long, SnapshotMetadata> found = SnapshotRecovery.recover(dir, channels, fsync);
            FileSnapshotStorage storage = new FileSnapshotStorage(config, channels, lock, found);
            synchronized (storage) {
                storage.applyRetention(new TreeMap<>(found));
            }
            log.info("Opened snapshot storage {}: {} snapshots, latest {}", dir, storage.snapshots.size(),
                    storage.latest().map(SnapshotMetadata::toString).orElse("none"));
            return storage;
        } catch (IOException e) {
            lock.close();
            throw new StorageException("cannot open the snapshot storage in " + dir + ": " + e, e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The configuration this storage was opened with. */
    public SnapshotStorageConfig config() {
        return config;
    }

    @Override
    public Optional<SnapshotMetadata> latest() {
        Map.Entry<Long, SnapshotMetadata> e = snapshots.lastEntry();
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    /** Every snapshot held, oldest first (at most {@link SnapshotStorageConfig#retainedSnapshots()}). */
    public List<SnapshotMetadata> snapshots() {
        return List.copyOf(snapshots.values());
    }

    /**
     * Starts a snapshot in a new temporary file.
     *
     * @throws IllegalArgumentException if index or term is below 1, or the membership index is outside [0, index]
     * @throws IOException              if the storage is closed or the file cannot be created
     */
    @Override
    public synchronized SnapshotWriter create(long index, long term, Membership membership, long membershipIndex)
            throws IOException {
        // Validates the arguments, with its own messages.
        new SnapshotMetadata(index, term, membership, membershipIndex, 0, 0);
        checkOpen();
        Path tmp = SnapshotFiles.tempPath(config.directory(), index, writerIds.incrementAndGet());
        TempSnapshot writer = TempSnapshot.create(channels, tmp, index, term, membership, membershipIndex, fsync,
                publisher);
        writers.add(writer);
        return writer;
    }

    /**
     * Streams a committed snapshot's bytes from {@code offset}. Read from offset 0 to the end, the stream checks
     * the bytes against the snapshot's checksum and fails its last read if they differ.
     *
     * @throws IOException if the snapshot is no longer held (deleted by retention, or replaced by another of the
     *                     same index), the offset is outside it, or the file cannot be opened
     */
    @Override
    public InputStream open(SnapshotMetadata snapshot, long offset) throws IOException {
        Objects.requireNonNull(snapshot, "snapshot");
        Path file = SnapshotFiles.snapshotPath(config.directory(), snapshot.index());
        FileChannel channel;
        synchronized (this) {
            checkOpen();
            SnapshotMetadata held = snapshots.get(snapshot.index());
            if (!snapshot.equals(held)) {
                throw new IOException("snapshot " + snapshot + " is no longer stored in " + config.directory()
                        + (held == null ? " (older snapshots are deleted beyond the newest "
                        + config.retainedSnapshots() + ")" : " (replaced by " + held + ")"));
            }
            if (offset < 0 || offset > snapshot.size()) {
                throw new IOException("offset " + offset + " is outside snapshot " + snapshot);
            }
            // Opened under the lock, so that no commit of the same index can swap the file in between.
            channel = channels.open(file, StandardOpenOption.READ);
        }
        return new SnapshotInputStream(channel, file, offset, snapshot.size(), snapshot.checksum());
    }

    /** Abandons uncommitted writers (deleting their files) and releases the directory lock. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TempSnapshot w : writers) {
            w.abandon();
        }
        writers.clear();
        lock.close();
        log.debug("Closed snapshot storage {}", config.directory());
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("the snapshot storage in " + config.directory() + " is closed");
        }
    }

    /** Deletes the oldest snapshots beyond retention from {@code catalog}, then publishes it. Holds the lock. */
    private void applyRetention(TreeMap<Long, SnapshotMetadata> catalog) {
        List<SnapshotMetadata> dropped = new ArrayList<>();
        while (catalog.size() > config.retainedSnapshots()) {
            dropped.add(catalog.pollFirstEntry().getValue());
        }
        snapshots = Collections.unmodifiableNavigableMap(catalog);
        // After publishing: a reader no longer finds them. A stream already open keeps reading the deleted file.
        for (SnapshotMetadata m : dropped) {
            Path file = SnapshotFiles.snapshotPath(config.directory(), m.index());
            try {
                Files.deleteIfExists(file);
                log.debug("Deleted snapshot {} beyond the newest {}", m, config.retainedSnapshots());
            } catch (IOException e) {
                // Not fatal: it is a valid snapshot, and retention at the next commit or open tries again.
                log.warn("Could not delete old snapshot {}: {}", file, e.toString());
            }
        }
        // Deletions are not forced: an old snapshot that reappears after a power loss is still a valid one, and the
        // next open deletes it again.
    }

    /** The storage side of a commit, called by the writer's thread once its file is complete and forced. */
    private final class Publisher implements TempSnapshot.Publisher {
        @Override
        public SnapshotMetadata publish(Path file, SnapshotMetadata metadata) throws IOException {
            synchronized (FileSnapshotStorage.this) {
                checkOpen();
                Path target = SnapshotFiles.snapshotPath(config.directory(), metadata.index());
                try {
                    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the file system of " + target + " cannot rename atomically, which "
                            + "crash-safe snapshots need", e);
                }
                TreeMap<Long, SnapshotMetadata> catalog = new TreeMap<>(snapshots);
                if (fsync) {
                    try {
                        FileIo.fsyncDirectory(channels, config.directory());
                    } catch (IOException e) {
                        // The rename may not survive a power loss, and may have replaced a snapshot of the same
                        // index: advertise neither. The next open verifies whatever the file then holds.
                        catalog.remove(metadata.index());
                        snapshots = Collections.unmodifiableNavigableMap(catalog);
                        throw new IOException("snapshot " + metadata + " was renamed into place but forcing "
                                + config.directory() + " failed, so it may not survive a power loss: " + e, e);
                    }
                }
                catalog.put(metadata.index(), metadata);
                applyRetention(catalog);
                log.debug("Committed snapshot {} to {}", metadata, target);
                return metadata;
            }
        }

        @Override
        public void forget(TempSnapshot writer) {
            writers.remove(writer);
        }
    }
}
