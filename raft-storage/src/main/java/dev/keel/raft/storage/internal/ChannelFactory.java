package dev.keel.raft.storage.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the file channels the storage reads and writes through. Production uses {@link #DEFAULT}; tests substitute
 * channels that fail or record forced offsets, to simulate I/O errors and power loss without a real broken disk.
 */
@FunctionalInterface
public interface ChannelFactory {
    /** {@link FileChannel#open(Path, OpenOption...)}. */
    ChannelFactory DEFAULT = FileChannel::open;

    /** Opens {@code path} as {@link FileChannel#open(Path, OpenOption...)} does. */
    FileChannel open(Path path, OpenOption... options) throws IOException;
}
