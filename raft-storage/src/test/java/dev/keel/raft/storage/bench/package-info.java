/**
 * JMH benchmarks of {@link dev.keel.raft.storage.FileLogStorage} appends against the physical limit of the disk (a
 * bare write + force loop), and of {@link dev.keel.raft.storage.FileSnapshotStorage} snapshot writes against a plain
 * file write + force of the same bytes. Not tests: run them with the {@code bench} profile or the scripts, as
 * {@code raft-storage/README.md} describes.
 */
package dev.keel.raft.storage.bench;
