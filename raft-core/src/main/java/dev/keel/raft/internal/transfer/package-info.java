/**
 * Snapshot transfer decisions (InstallSnapshot, Raft §7), deterministic and free of I/O: the leader's per-follower
 * senders (window of unacknowledged chunks, rewind after lost chunks, no-progress timeout, rate budget) and the
 * follower's receiver (expected, duplicate and out-of-order chunks, acknowledgements, receive timeout). Disk work is
 * asked for through {@link dev.keel.raft.internal.transfer.SnapshotTask}s that the engine hands out in its Ready; the
 * runtime carries them out and reports back. Internal: not API.
 */
package dev.keel.raft.internal.transfer;
