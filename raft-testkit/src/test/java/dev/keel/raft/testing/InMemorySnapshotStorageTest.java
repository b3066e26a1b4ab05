package dev.keel.raft.testing;

import dev.keel.raft.spi.SnapshotStorage;

class InMemorySnapshotStorageTest extends SnapshotStorageContract {
    @Override
    protected SnapshotStorage createStorage() {
        return new InMemorySnapshotStorage(2);
    }

    @Override
    protected SnapshotStorage reopen(SnapshotStorage storage) {
        InMemorySnapshotStorage s = (InMemorySnapshotStorage) storage;
        InMemorySnapshotStorage r = s.reopen();
        s.close();
        return r;
    }
}
