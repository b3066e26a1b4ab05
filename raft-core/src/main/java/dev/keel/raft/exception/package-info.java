/**
 * The exceptions Keel's operations fail with. They are few on purpose: each tells the caller whether the operation
 * took effect ({@link dev.keel.raft.exception.NotLeaderException}, {@link dev.keel.raft.exception.ServerBusyException},
 * {@link dev.keel.raft.exception.ServerStoppedException},
 * {@link dev.keel.raft.exception.RequestRejectedException} and {@link dev.keel.raft.exception.SessionException}: it
 * did not; {@link dev.keel.raft.exception.IndeterminateOutcomeException}: it may have;
 * {@link dev.keel.raft.exception.ClusterChangeException}: see its reason), and
 * {@link dev.keel.raft.exception.StorageException} reports a failed disk. A follower that forwards a request to the
 * leader fails its caller's future with the same exception the leader's own caller would have seen.
 */
package dev.keel.raft.exception;
