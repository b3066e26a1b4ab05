package dev.keel.raft.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The immutable configuration of a {@link FileSnapshotStorage}. Build one with {@link #builder(Path)}; every setter
 * rejects a bad value at once with a message saying what to fix.
 *
 * @param directory         the directory holding the snapshots; created if missing; one storage per directory, and
 *                          not the log's directory
 * @param retainedSnapshots how many of the newest good snapshots are kept; older ones are deleted after each commit
 *                          and at open. More than one lets a node fall back to an older snapshot if the newest is
 *                          found damaged, and lets a transfer of the previous one to a follower finish
 * @param fsyncPolicy       {@link FsyncPolicy#ALWAYS} forces each snapshot and its directory entry to disk before
 *                          {@code commit} returns (the log is then purged on the strength of it);
 *                          {@link FsyncPolicy#NEVER} is for tests only
 */
public record SnapshotStorageConfig(Path directory, int retainedSnapshots, FsyncPolicy fsyncPolicy) {

    /** Default number of snapshots kept: the newest and one to fall back to. */
    public static final int DEFAULT_RETAINED_SNAPSHOTS = 2;
    /** Upper bound on {@link #retainedSnapshots()}: every one is read in full at open to verify it. */
    public static final int MAX_RETAINED_SNAPSHOTS = 1000;

    /**
     * @throws NullPointerException     if directory or fsyncPolicy is null
     * @throws IllegalArgumentException if retainedSnapshots is out of range
     */
    public SnapshotStorageConfig {
        Objects.requireNonNull(directory, "directory must not be null: pass the directory that holds the snapshots");
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy must not be null: use FsyncPolicy.ALWAYS unless losing "
                + "snapshots on power loss is acceptable");
        checkRetained(retainedSnapshots);
    }

    /** A builder with safe defaults (keep 2 snapshots, {@link FsyncPolicy#ALWAYS}). */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    private static void checkRetained(long n) {
        if (n < 1 || n > MAX_RETAINED_SNAPSHOTS) {
            throw new IllegalArgumentException("retainedSnapshots must be between 1 and " + MAX_RETAINED_SNAPSHOTS
                    + ", was " + n + "; the default, " + DEFAULT_RETAINED_SNAPSHOTS + ", keeps one to fall back to");
        }
    }

    /** Builds a {@link SnapshotStorageConfig}. Not thread-safe; each setter validates its value at once. */
    public static final class Builder {
        private Path directory;
        private int retainedSnapshots = DEFAULT_RETAINED_SNAPSHOTS;
        private FsyncPolicy fsyncPolicy = FsyncPolicy.ALWAYS;

        private Builder(Path directory) {
            directory(directory);
        }

        /** The directory that holds the snapshots (created at open if missing). */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory,
                    "directory must not be null: pass the directory that holds the snapshots");
            return this;
        }

        /**
         * See {@link SnapshotStorageConfig#retainedSnapshots()}; between 1 and
         * {@value SnapshotStorageConfig#MAX_RETAINED_SNAPSHOTS}.
         */
        public Builder retainedSnapshots(long n) {
            checkRetained(n);
            this.retainedSnapshots = (int) n;
            return this;
        }

        /** See {@link SnapshotStorageConfig#fsyncPolicy()}. */
        public Builder fsyncPolicy(FsyncPolicy policy) {
            this.fsyncPolicy = Objects.requireNonNull(policy, "fsyncPolicy must not be null: use "
                    + "FsyncPolicy.ALWAYS unless losing snapshots on power loss is acceptable");
            return this;
        }

        /** The configuration. */
        public SnapshotStorageConfig build() {
            return new SnapshotStorageConfig(directory, retainedSnapshots, fsyncPolicy);
        }
    }
}
