package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.LogEntry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * What one read of a range of the log consists of: runs of records in segment files, then entries from the cache.
 * Made under the storage's lock; {@link #detach} copies what a read needs so that it can run on another thread
 * without the lock.
 *
 * @param runs   runs of records to read from files, in index order
 * @param cached the entries that follow, from the cache
 */
public record ReadPlan(List<FileRun> runs, List<LogEntry> cached) {

    /**
     * Entries {@code from .. upTo-1} of {@code segment}.
     *
     * @param segment the segment holding them
     * @param from    the first index
     * @param upTo    one past the last index
     */
    public record FileRun(Segment segment, long from, long upTo) {
    }

    /** A copy of this plan that no longer refers to the (mutable) segments; {@code layoutVersion} tags it. */
    public Detached detach(long layoutVersion) {
        List<DetachedRun> copies = new ArrayList<>(runs.size());
        for (FileRun r : runs) {
            copies.add(new DetachedRun(r.segment().path(), r.from(), r.segment().offsetsOf(r.from(), r.upTo())));
        }
        return new Detached(copies, List.copyOf(cached), layoutVersion);
    }

    /**
     * A run of records to read: the file, the index of its first record and the records' offsets (one more than the
     * records, the last being the end of the last record).
     *
     * @param path    the segment file
     * @param from    the index of the first record
     * @param offsets the records' offsets and the end of the last
     */
    record DetachedRun(Path path, long from, int[] offsets) {
    }

    /**
     * A plan that can be carried out without the storage's lock.
     *
     * @param runs          runs of records to read from files
     * @param cached        the entries from the cache that follow
     * @param layoutVersion the storage's layout version when the plan was made
     */
    public record Detached(List<DetachedRun> runs, List<LogEntry> cached, long layoutVersion) {

        /**
         * Reads the runs into {@code out}, opening each file for this read only (the storage's own read channels
         * belong to the caller's thread).
         *
         * @throws StorageException if a file cannot be opened or read, or a record is corrupt
         */
        public void readFiles(ChannelFactory channels, CRC32C crc, List<LogEntry> out) {
            for (DetachedRun run : runs) {
                try (FileChannel channel = channels.open(run.path(), StandardOpenOption.READ)) {
                    Segment.readRecords(channel, run.path(), run.from(), run.offsets(), crc, out);
                } catch (IOException e) {
                    throw new StorageException("cannot read " + run.path() + ": " + e, e);
                }
            }
        }
    }
}
