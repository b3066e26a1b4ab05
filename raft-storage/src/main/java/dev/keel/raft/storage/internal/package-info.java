/**
 * The engines behind {@link dev.keel.raft.storage.FileLogStorage} and
 * {@link dev.keel.raft.storage.FileSnapshotStorage}. For the log: on-disk formats (segment header, record framing,
 * hard state and truncation-intent files), the in-memory index and entry cache, recovery at open, and the I/O thread
 * that performs group commit. For snapshots: the file format (header, metadata trailer), the streaming writer and
 * reader, and verification and recovery at open.
 *
 * <p><b>Not API.</b> Every type here may change or disappear in any release; depend only on
 * {@code dev.keel.raft.storage}. Types are public only so that the facade in the parent package can use them.
 */
package dev.keel.raft.storage.internal;
