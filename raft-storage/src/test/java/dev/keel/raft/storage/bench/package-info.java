/**
 * JMH benchmarks of {@link dev.keel.raft.storage.FileLogStorage} appends against the physical limit of the disk (a
 * bare write + force loop). Not tests: run them with the {@code bench} profile as {@code raft-storage/README.md}
 * describes.
 */
package dev.keel.raft.storage.bench;
