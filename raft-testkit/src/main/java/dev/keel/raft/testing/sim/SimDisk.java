package dev.keel.raft.testing.sim;

import dev.keel.raft.NodeId;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.spi.SnapshotStorage;

/**
 * Where simulated servers keep their logs. The simulation decides when each write becomes durable; a disk says how
 * to make it so, and what a crash leaves behind. {@link InMemorySimDisk} models durability exactly; a disk of real
 * files (see the storage module) runs the same simulation on the production log.
 */
public interface SimDisk extends AutoCloseable {

    /** The storage of {@code node} as it starts: empty the first time, the crash survivors after a crash. */
    LogStorage open(NodeId node) throws Exception;

    /**
     * Makes the oldest pending mutation of {@code storage} durable, so that its future completes (or blocks until the
     * real disk has made it durable).
     */
    void syncOne(LogStorage storage);

    /**
     * The snapshot storage of {@code node} as it starts, or {@code null} to run without snapshots. Snapshots
     * committed before a crash survive it; one being written does not.
     */
    default SnapshotStorage openSnapshots(NodeId node) throws Exception {
        return null;
    }

    /** {@code node} crashed while using {@code storage}: keep only what was durable. */
    void crash(NodeId node, LogStorage storage) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
