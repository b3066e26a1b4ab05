package dev.keel.raft.storage;

import dev.keel.raft.NodeId;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.testing.sim.SimDisk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs the cluster simulator on {@link FileLogStorage} and {@link FileSnapshotStorage}: one real log directory and
 * one real snapshot directory per node under a temporary directory. Durability comes from the real disk (the
 * simulator waits for each future); a crash closes the storages abruptly from the engine's point of view, and the
 * restarted node recovers from the files, through the same recovery code as a real restart.
 */
final class FileSimDisk implements SimDisk {
    private final Path root;
    private final FsyncPolicy fsync;
    private final Map<NodeId, FileSnapshotStorage> snapshots = new HashMap<>();
    /** Snapshots counted at each open, over the whole run: shows the simulation really went through these files. */
    private int snapshotsFoundAtOpen;

    FileSimDisk(Path parent, FsyncPolicy fsync) {
        try {
            this.root = Files.createTempDirectory(parent, "sim");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.fsync = fsync;
    }

    @Override
    public LogStorage open(NodeId node) {
        return FileLogStorage.open(StorageConfig.builder(root.resolve(node.value()).resolve("log"))
                .fsyncPolicy(fsync).segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES).cacheSizeBytes(16 * 1024)
                .build());
    }

    /**
     * The node's snapshot storage, reopened from its directory after a crash: committed snapshots survive (verified
     * again at open), one being written does not.
     */
    @Override
    public SnapshotStorage openSnapshots(NodeId node) {
        closeSnapshots(node);
        FileSnapshotStorage s = FileSnapshotStorage.open(SnapshotStorageConfig.builder(
                root.resolve(node.value()).resolve("snapshots")).fsyncPolicy(fsync).build());
        snapshotsFoundAtOpen += s.snapshots().size();
        snapshots.put(node, s);
        return s;
    }

    @Override
    public void syncOne(LogStorage storage) {
        // The real I/O thread makes mutations durable on its own; the simulator then waits for the future.
    }

    @Override
    public void crash(NodeId node, LogStorage storage) {
        // Closing may make more mutations durable than the simulator has seen complete, as a disk that finished
        // its fsync just before the power went would; never fewer.
        storage.close();
        // Abandons a snapshot being written (its temporary file goes, as the next open would delete it).
        closeSnapshots(node);
    }

    private void closeSnapshots(NodeId node) {
        FileSnapshotStorage previous = snapshots.remove(node);
        if (previous != null) {
            previous.close();
        }
    }

    /** Snapshots found on disk by every open of a snapshot storage so far (restarts included). */
    int snapshotsFoundAtOpen() {
        return snapshotsFoundAtOpen;
    }

    @Override
    public void close() {
        snapshots.values().forEach(FileSnapshotStorage::close);
        snapshots.clear();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
