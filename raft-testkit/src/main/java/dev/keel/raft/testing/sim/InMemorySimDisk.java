package dev.keel.raft.testing.sim;

import dev.keel.raft.NodeId;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemorySnapshotStorage;

import java.util.HashMap;
import java.util.Map;

/** A {@link SimDisk} of {@link InMemoryLogStorage}s: a crash loses exactly what was not synced. */
public final class InMemorySimDisk implements SimDisk {
    private final Map<NodeId, InMemoryLogStorage> survivors = new HashMap<>();
    private final Map<NodeId, InMemorySnapshotStorage> snapshots = new HashMap<>();

    @Override
    public LogStorage open(NodeId node) {
        InMemoryLogStorage s = survivors.remove(node);
        return s != null ? s : InMemoryLogStorage.manualSync();
    }

    @Override
    public SnapshotStorage openSnapshots(NodeId node) {
        InMemorySnapshotStorage previous = snapshots.get(node);
        InMemorySnapshotStorage s = previous == null ? new InMemorySnapshotStorage(2) : previous.reopen();
        snapshots.put(node, s);
        return s;
    }

    @Override
    public void syncOne(LogStorage storage) {
        ((InMemoryLogStorage) storage).syncNext();
    }

    @Override
    public void crash(NodeId node, LogStorage storage) {
        survivors.put(node, ((InMemoryLogStorage) storage).crash());
    }
}
