package dev.keel.raft.storage.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A snapshot file that fails verification: its header, metadata trailer, size or body checksum is wrong, or it was
 * written in a format this build does not read. Carries the file and offset so that an operator can find the damage.
 */
public final class CorruptSnapshotException extends IOException {
    private final transient Path file;
    private final long offset;
    private final String reason;

    public CorruptSnapshotException(Path file, long offset, String reason) {
        super("snapshot file " + file + " is unusable at offset " + offset + ": " + reason);
        this.file = file;
        this.offset = offset;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }

    /** What is wrong, without the file name. */
    public String reason() {
        return reason;
    }
}
