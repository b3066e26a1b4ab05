package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive {@link FileLock} on a storage directory's {@code LOCK} file, held while a storage is open, so that
 * two processes (or two storages in one JVM) never write one log or one snapshot directory. A log and a snapshot
 * storage given the same directory collide on the same lock file, which keeps each one's files its own. The
 * operating system releases the lock if the process dies, so a crash never leaves a stale lock behind.
 */
public final class DirectoryLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** {@link #acquire(Path, String)} for a log directory. */
    public static DirectoryLock acquire(Path directory) {
        return acquire(directory, "log");
    }

    /**
     * Takes the lock without waiting.
     *
     * @param what what the directory holds ("log", "snapshot"), for error messages
     * @throws StorageException if another process or storage holds it, or the lock file cannot be opened
     */
    public static DirectoryLock acquire(Path directory, String what) {
        Path file = directory.resolve(SegmentFiles.LOCK);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException("cannot open lock file " + file + ": " + e, e);
        }
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                ch.close();
                throw new StorageException(what + " directory " + directory + " is already open in this JVM (lock "
                        + "file " + file + " is held by another storage); close that one first, and give the log "
                        + "and the snapshots a directory each");
            }
            if (lock == null) {
                String holder = readHolder(ch);
                ch.close();
                throw new StorageException(what + " directory " + directory + " is locked by another process"
                        + holder + " (lock file " + file + "); two processes must never write one " + what
                        + " directory");
            }
            // Record who holds it, only to make the error above more helpful to an operator.
            ch.truncate(0);
            FileIo.writeFully(ch, ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)), 0);
            return new DirectoryLock(ch, lock);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new StorageException("cannot lock " + file + ": " + e, e);
        }
    }

    private static String readHolder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(64);
            ch.read(b, 0);
            String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? "" : " (" + text + ")";
        } catch (IOException e) {
            return "";
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases the lock too.
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was written that matters; the lock is released when the channel is gone.
        }
    }
}
