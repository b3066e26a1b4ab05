package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.config.ConfigException;
import dev.keel.raft.examples.kv.config.NodeConfig;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.FileSnapshotStorage;
import dev.keel.raft.storage.FsyncPolicy;
import dev.keel.raft.storage.SnapshotStorageConfig;
import dev.keel.raft.storage.StorageConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A node's durable state under its data directory: the Raft log in {@code log/} ({@link FileLogStorage}) and the
 * snapshots in {@code snapshots/} ({@link FileSnapshotStorage}).
 */
public final class NodeStorage {
    private NodeStorage() {
    }

    /**
     * Checks that the data directory can be created and written, before anything else is opened there.
     *
     * @throws ConfigException naming the directory and the reason
     */
    public static void checkDataDir(Path dataDir, String source) {
        Path probe = dataDir.resolve(".keel-write-test");
        try {
            Files.createDirectories(dataDir);
            Files.writeString(probe, "keel");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new ConfigException(source, "data_dir " + dataDir.toAbsolutePath() + " is not a writable directory ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /** Starts a node on the log and snapshots in its data directory (created if missing). */
    public static KvNode startNode(NodeConfig config) {
        checkDataDir(config.dataDir(), "data_dir");
        FsyncPolicy fsync = config.fsync() ? FsyncPolicy.ALWAYS : FsyncPolicy.NEVER;
        FileLogStorage log = FileLogStorage.open(StorageConfig.builder(config.dataDir().resolve("log"))
                .fsyncPolicy(fsync)
                .segmentSizeBytes(config.logSegmentBytes())
                .build());
        FileSnapshotStorage snapshots;
        try {
            snapshots = FileSnapshotStorage.open(SnapshotStorageConfig.builder(config.dataDir().resolve("snapshots"))
                    .retainedSnapshots(config.retainedSnapshots())
                    .fsyncPolicy(fsync)
                    .build());
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        return KvNode.start(config, log, snapshots);
    }
}
