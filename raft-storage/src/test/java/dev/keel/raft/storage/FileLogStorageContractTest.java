package dev.keel.raft.storage;

import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.testing.LogStorageContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The core {@link LogStorage} contract, run against {@link FileLogStorage} with small segments (so that rolls and
 * sealed segments happen) and a tiny cache (so that reads go to the files). Segments are not smaller because every
 * roll costs two forces; whole-segment purges are covered by {@code FileLogStorageTest}.
 */
class FileLogStorageContractTest extends LogStorageContract {
    @TempDir
    Path tmp;

    private final AtomicInteger dirs = new AtomicInteger();

    @Override
    protected LogStorage createStorage() {
        StorageConfig config = StorageConfig.builder(tmp.resolve("log-" + dirs.incrementAndGet()))
                .segmentSizeBytes(64 * 1024)
                .cacheSizeBytes(512)
                .build();
        return FileLogStorage.open(config);
    }

    @Override
    protected LogStorage reopen(LogStorage storage) {
        FileLogStorage file = (FileLogStorage) storage;
        file.close();
        return FileLogStorage.open(file.config());
    }
}
