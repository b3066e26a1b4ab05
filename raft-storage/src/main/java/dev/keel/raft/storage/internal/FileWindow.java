package dev.keel.raft.storage.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Random access to a file through a buffered window, for the scans at open: sequential in the common case, with
 * the occasional look back or ahead, and without one system call per field.
 */
final class FileWindow {
    private static final int WINDOW_BYTES = 256 * 1024;

    private final FileChannel channel;
    private final long size;
    private ByteBuffer buffer = ByteBuffer.allocate(WINDOW_BYTES);
    private long bufferStart;
    private int bufferLength;

    FileWindow(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    long size() {
        return size;
    }

    int getInt(long pos) throws IOException {
        ensure(pos, 4);
        return buffer.getInt((int) (pos - bufferStart));
    }

    long getLong(long pos) throws IOException {
        ensure(pos, 8);
        return buffer.getLong((int) (pos - bufferStart));
    }

    byte get(long pos) throws IOException {
        ensure(pos, 1);
        return buffer.get((int) (pos - bufferStart));
    }

    /** Feeds bytes [pos, pos + length) to {@code crc}. */
    void updateCrc(CRC32C crc, long pos, long length) throws IOException {
        long p = pos;
        long remaining = length;
        while (remaining > 0) {
            int chunk = (int) Math.min(remaining, WINDOW_BYTES);
            ensure(p, chunk);
            crc.update(buffer.array(), (int) (p - bufferStart), chunk);
            p += chunk;
            remaining -= chunk;
        }
    }

    private void ensure(long pos, int n) throws IOException {
        if (pos >= bufferStart && pos + n <= bufferStart + bufferLength) {
            return;
        }
        if (pos < 0 || pos + n > size) {
            throw new IllegalArgumentException("read of " + n + " bytes at " + pos + " past the end " + size);
        }
        if (n > buffer.capacity()) {
            buffer = ByteBuffer.allocate(n);
        }
        int length = (int) Math.min(buffer.capacity(), size - pos);
        ByteBuffer dst = buffer.clear().limit(length);
        FileIo.readFully(channel, dst, pos);
        bufferStart = pos;
        bufferLength = length;
    }
}
