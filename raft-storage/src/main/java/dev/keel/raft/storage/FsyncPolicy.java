package dev.keel.raft.storage;

/**
 * When {@link FileLogStorage} forces written data to the disk before it completes a mutation's future, and whether
 * {@link FileSnapshotStorage} forces a snapshot and its directory entry before a commit returns.
 */
public enum FsyncPolicy {
    /**
     * The default, and the only setting under which Raft's safety holds across power loss: a future completes only
     * after its data (and everything written before it) has been forced to stable storage. Mutations that arrive
     * while a force is in flight share the next one (group commit), so the cost is one force per batch, not per
     * entry.
     */
    ALWAYS,

    /**
     * Never forces. A future completes once its data has been handed to the operating system, so a process crash
     * loses nothing but a power loss or kernel crash may lose acknowledged entries and votes, which can break
     * Raft's safety. Meant for tests and throwaway clusters only.
     */
    NEVER
}
