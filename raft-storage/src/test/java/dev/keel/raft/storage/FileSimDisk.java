package dev.keel.raft.storage;

import dev.keel.raft.NodeId;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.testing.sim.SimDisk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Runs the cluster simulator on {@link FileLogStorage}: one real log directory per node under a temporary
 * directory. Durability comes from the real disk (the simulator waits for each future); a crash closes the storage
 * abruptly from the engine's point of view, and the restarted node recovers from the files, through the same
 * recovery code as a real restart.
 */
final class FileSimDisk implements SimDisk {
    private final Path root;
    private final FsyncPolicy fsync;

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
        return FileLogStorage.open(StorageConfig.builder(root.resolve(node.value())).fsyncPolicy(fsync)
                .segmentSizeBytes(64 * 1024).cacheSizeBytes(16 * 1024).build());
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
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
