package dev.keel.raft.storage.internal;

/**
 * The snapshot file format: a {@link SnapshotHeader}, the body (the state machine's bytes, as written), and a
 * {@link SnapshotTrailer} holding the metadata. The metadata goes last because the body is streamed: its size and
 * checksum are known only at the end.
 */
public final class SnapshotFormat {
    /** The only snapshot format version this build reads and writes (header and trailer alike). */
    public static final int VERSION = 1;

    private SnapshotFormat() {
    }
}
