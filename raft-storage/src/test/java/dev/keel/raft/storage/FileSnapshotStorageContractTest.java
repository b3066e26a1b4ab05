package dev.keel.raft.storage;

import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.testing.SnapshotStorageContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The core {@link SnapshotStorage} contract, run against {@link FileSnapshotStorage} with fsync on. */
class FileSnapshotStorageContractTest extends SnapshotStorageContract {
    @TempDir
    Path tmp;

    private final AtomicInteger dirs = new AtomicInteger();

    @Override
    protected SnapshotStorage createStorage() {
        Path dir = tmp.resolve("snapshots-" + dirs.incrementAndGet());
        return FileSnapshotStorage.open(SnapshotStorageConfig.builder(dir).retainedSnapshots(2).build());
    }

    @Override
    protected SnapshotStorage reopen(SnapshotStorage storage) {
        FileSnapshotStorage file = (FileSnapshotStorage) storage;
        file.close();
        return FileSnapshotStorage.open(file.config());
    }
}
