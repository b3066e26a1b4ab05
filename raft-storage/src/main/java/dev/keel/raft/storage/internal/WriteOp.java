package dev.keel.raft.storage.internal;

import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One instruction from the caller thread to the I/O thread, executed strictly in submission order. A non-null
 * {@code done} future completes once this and every earlier instruction are durable.
 */
public sealed interface WriteOp {

    /** The future to complete after this instruction is durable, or null. */
    CompletableFuture<Void> done();

    /**
     * Writes entries at {@code position} of the active segment (whose first index is {@code segmentBase}).
     *
     * @param seq write sequence number; once written the cache may evict these entries
     */
    record Append(long seq, long segmentBase, int position, List<LogEntry> entries, CompletableFuture<Void> done)
            implements WriteOp {
    }

    /** Seals the active segment (forces it) and starts a new one whose first index is {@code baseIndex}. */
    record Roll(long baseIndex) implements WriteOp {
        @Override
        public CompletableFuture<Void> done() {
            return null;
        }
    }

    /** Replaces the hard state atomically. */
    record SaveHardState(HardState state, CompletableFuture<Void> done) implements WriteOp {
    }

    /**
     * Removes entries from {@code fromIndex} on: segments with base indexes {@code deletedBases} are deleted and
     * segment {@code segmentBase} is cut at {@code position}, which becomes the active segment.
     */
    record Truncate(long fromIndex, long segmentBase, int position, long[] deletedBases,
                    CompletableFuture<Void> done) implements WriteOp {
    }

    /**
     * Removes every entry: every segment file is deleted and an empty one whose first index is {@code nextIndex}
     * becomes the active segment.
     */
    record Reset(long nextIndex, CompletableFuture<Void> done) implements WriteOp {
    }

    /** Deletes whole sealed segments below the first index. */
    record Purge(long[] deletedBases) implements WriteOp {
        @Override
        public CompletableFuture<Void> done() {
            return null;
        }
    }

    /** Changes nothing; completes once everything before it is durable. */
    record Barrier(CompletableFuture<Void> done) implements WriteOp {
    }

    /** Makes everything before it durable, closes the files and ends the I/O thread. */
    record Shutdown() implements WriteOp {
        @Override
        public CompletableFuture<Void> done() {
            return null;
        }
    }
}
