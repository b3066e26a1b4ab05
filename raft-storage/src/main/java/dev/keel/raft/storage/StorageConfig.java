package dev.keel.raft.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The immutable configuration of a {@link FileLogStorage}. Build one with {@link #builder(Path)}; every setter
 * rejects a bad value at once with a message saying what to fix.
 *
 * @param directory        the directory holding the log; created if missing; one storage per directory
 * @param segmentSizeBytes the size at which the active segment file is sealed and a new one started; an entry
 *                         larger than this gets a segment of its own
 * @param fsyncPolicy      when data is forced to disk before futures complete; {@link FsyncPolicy#ALWAYS} unless
 *                         durability across power loss does not matter
 * @param cacheSizeBytes   how many bytes of the most recent entries are kept in memory so that they are served
 *                         without reading the file (entries not yet written are always kept, beyond this bound)
 */
public record StorageConfig(Path directory, int segmentSizeBytes, FsyncPolicy fsyncPolicy, long cacheSizeBytes) {

    /** Smallest accepted segment size: below this, per-file overhead (open, force, rename) dominates. */
    public static final int MIN_SEGMENT_SIZE_BYTES = 4 * 1024;
    /** Largest accepted segment size; positions inside a segment are 32-bit. */
    public static final int MAX_SEGMENT_SIZE_BYTES = 1024 * 1024 * 1024;
    /** Default segment size: 64 MiB. */
    public static final int DEFAULT_SEGMENT_SIZE_BYTES = 64 * 1024 * 1024;
    /** Default entry cache: 16 MiB. */
    public static final long DEFAULT_CACHE_SIZE_BYTES = 16L * 1024 * 1024;

    /**
     * @throws NullPointerException     if directory or fsyncPolicy is null
     * @throws IllegalArgumentException if a size is out of range
     */
    public StorageConfig {
        Objects.requireNonNull(directory, "directory must not be null: pass the directory that holds the log");
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy must not be null: use FsyncPolicy.ALWAYS unless "
                + "losing acknowledged entries on power loss is acceptable");
        checkSegmentSize(segmentSizeBytes);
        checkCacheSize(cacheSizeBytes);
    }

    /** A builder with safe defaults ({@link FsyncPolicy#ALWAYS}, 64 MiB segments, 16 MiB cache). */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    private static void checkSegmentSize(long bytes) {
        if (bytes < MIN_SEGMENT_SIZE_BYTES || bytes > MAX_SEGMENT_SIZE_BYTES) {
            throw new IllegalArgumentException("segmentSizeBytes must be between " + MIN_SEGMENT_SIZE_BYTES
                    + " (4 KiB) and " + MAX_SEGMENT_SIZE_BYTES + " (1 GiB), was " + bytes
                    + "; the default, " + DEFAULT_SEGMENT_SIZE_BYTES + " (64 MiB), suits most logs");
        }
    }

    private static void checkCacheSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cacheSizeBytes must be >= 0 (0 keeps only entries not yet "
                    + "written), was " + bytes);
        }
    }

    /**
     * Builds a {@link StorageConfig}. Not thread-safe; each setter validates its value at once.
     */
    public static final class Builder {
        private Path directory;
        private int segmentSizeBytes = DEFAULT_SEGMENT_SIZE_BYTES;
        private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;
        private long cacheSizeBytes = DEFAULT_CACHE_SIZE_BYTES;

        private Builder(Path directory) {
            directory(directory);
        }

        /** The directory that holds the log (created at open if missing). */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory,
                    "directory must not be null: pass the directory that holds the log");
            return this;
        }

        /** See {@link StorageConfig#segmentSizeBytes()}; between 4 KiB and 1 GiB. */
        public Builder segmentSizeBytes(long bytes) {
            checkSegmentSize(bytes);
            this.segmentSizeBytes = (int) bytes;
            return this;
        }

        /** See {@link StorageConfig#fsyncPolicy()}. */
        public Builder fsyncPolicy(FsyncPolicy policy) {
            this.fsyncPolicy = Objects.requireNonNull(policy, "fsyncPolicy must not be null: use "
                    + "FsyncPolicy.ALWAYS unless losing acknowledged entries on power loss is acceptable");
            return this;
        }

        /** See {@link StorageConfig#cacheSizeBytes()}; at least 0. */
        public Builder cacheSizeBytes(long bytes) {
            checkCacheSize(bytes);
            this.cacheSizeBytes = bytes;
            return this;
        }

        /** The configuration. */
        public StorageConfig build() {
            return new StorageConfig(directory, segmentSizeBytes, fsyncPolicy, cacheSizeBytes);
        }
    }
}
