package dev.keel.raft.storage.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Small file helpers: full positional reads and writes, directory fsync, atomic replace. */
public final class FileIo {
    private FileIo() {
    }

    /** Writes all remaining bytes of {@code src} at {@code position}; a short write is retried, not ignored. */
    public static void writeFully(FileChannel channel, ByteBuffer src, long position) throws IOException {
        long pos = position;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    /** Fills {@code dst} from {@code position}. @throws EOFException if the file ends first */
    public static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new EOFException("file ends at " + pos + " but " + dst.remaining() + " more bytes were expected");
            }
            pos += n;
        }
    }

    /**
     * Forces a directory's entries (creations, renames, deletions) to disk. Without it a renamed or created file
     * may vanish after a power loss even though its contents were forced.
     */
    public static void fsyncDirectory(ChannelFactory channels, Path directory) throws IOException {
        try (FileChannel dir = channels.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /**
     * Replaces {@code target} with {@code content} so that a crash leaves either the old or the new file: write a
     * temporary file, force it, rename it over the target, force the directory.
     */
    public static void replaceAtomically(ChannelFactory channels, Path target, byte[] content, boolean fsync)
            throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + SegmentFiles.TEMP_SUFFIX);
        try (FileChannel ch = channels.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(ch, ByteBuffer.wrap(content), 0);
            if (fsync) {
                ch.force(true);
            }
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target + " cannot rename atomically, which crash-safe "
                    + "storage needs", e);
        }
        if (fsync) {
            fsyncDirectory(channels, target.getParent());
        }
    }
}
