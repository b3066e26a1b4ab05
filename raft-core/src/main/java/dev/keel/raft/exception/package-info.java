/**
 * The exceptions Keel's operations fail with. They are few on purpose: each tells the caller whether the operation
 * took effect ({@link dev.keel.raft.exception.NotLeaderException}, {@link dev.keel.raft.exception.ServerBusyException}
 * and {@link dev.keel.raft.exception.ServerStoppedException}: it did not;
 * {@link dev.keel.raft.exception.IndeterminateOutcomeException}: it may have), and
 * {@link dev.keel.raft.exception.StorageException} reports a failed disk.
 */
package dev.keel.raft.exception;
