/**
 * Keel's durable storage: {@link dev.keel.raft.storage.FileLogStorage} for the log and the hard state,
 * {@link dev.keel.raft.storage.FileSnapshotStorage} for snapshots.
 *
 * <p>Only {@code dev.keel.raft.storage} is exported; the file formats and recovery
 * ({@code dev.keel.raft.storage.internal}) are not.
 */
module dev.keel.raft.storage {
    requires transitive dev.keel.raft;
    requires org.slf4j;
    // The slow-fsync event, only where the runtime has jdk.jfr (FsyncEvents checks).
    requires static jdk.jfr;

    exports dev.keel.raft.storage;
}
