package dev.keel.raft.storage.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The stream a snapshot's body is written to: bytes are checksummed (CRC32C) as they pass and copied into one
 * fixed-size direct buffer, which is written to the file whenever it fills. So memory stays at one buffer whatever the
 * snapshot's size, and a large {@code write} never makes the JDK allocate a temporary direct buffer of its size (it
 * would for a heap buffer handed straight to the channel). Not thread-safe: one writer thread at a time, as the SPI
 * says.
 */
public final class SnapshotOutput extends OutputStream {
    /** Large enough that a write is one system call per megabyte, small enough to keep per writer. */
    static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel channel;
    private final Path file;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final CRC32C crc = new CRC32C();
    private long position; // file offset where the buffer's first byte goes
    private long size;
    private volatile String finished; // why writes are refused, once the writer is done

    SnapshotOutput(FileChannel channel, Path file, long bodyStart) {
        this.channel = channel;
        this.file = file;
        this.position = bodyStart;
    }

    @Override
    public void write(int b) throws IOException {
        checkWritable();
        buffer.put((byte) b);
        crc.update(b);
        size++;
        if (!buffer.hasRemaining()) {
            drain();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        checkWritable();
        crc.update(b, off, len);
        size += len;
        int from = off;
        int left = len;
        while (left > 0) {
            int n = Math.min(left, buffer.remaining());
            buffer.put(b, from, n);
            from += n;
            left -= n;
            if (!buffer.hasRemaining()) {
                drain();
            }
        }
    }

    /** Hands buffered bytes to the file (not durable: the commit forces the file). */
    @Override
    public void flush() throws IOException {
        checkWritable();
        drain();
    }

    /** Does not close the file: commit or abort the writer instead. Flushes, so nothing written is held back. */
    @Override
    public void close() throws IOException {
        if (finished == null) {
            drain();
        }
    }

    /** Bytes written so far. */
    long size() {
        return size;
    }

    /** CRC32C of the bytes written so far. */
    long checksum() {
        return crc.getValue();
    }

    /** File offset one past the last body byte, after {@link #drain()}. */
    long end() {
        return position + buffer.position();
    }

    /** Refuses every later write with {@code why}. */
    void finish(String why) {
        finished = why;
    }

    void drain() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        int n = buffer.remaining();
        FileIo.writeFully(channel, buffer, position);
        position += n;
        buffer.clear();
    }

    private void checkWritable() throws IOException {
        String why = finished;
        if (why != null) {
            throw new IOException("cannot write to snapshot " + file + ": " + why);
        }
    }
}
