package dev.keel.raft.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Reads a snapshot's body from a file, from any offset. Small reads (a state machine decoding its snapshot through a
 * {@code DataInputStream}, say) are served from a 64 KiB buffer rather than one system call each; large ones go
 * straight to the caller's array, at most {@value #MAX_READ_BYTES} bytes per call, so the JDK's temporary direct
 * buffer for a heap read stays small whatever the caller asks for. Read from the start, the stream also checksums
 * the body and fails the read that reaches its end if the checksum does not match the metadata: a file damaged
 * after it was verified at open is never restored silently. Not thread-safe.
 */
public final class SnapshotInputStream extends InputStream {
    static final int MAX_READ_BYTES = 256 * 1024;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final FileChannel channel;
    private final Path file;
    private final CRC32C crc; // null when not read from the start
    private final long expectedChecksum;
    private final byte[] buffer;
    private int bufferPos;
    private int bufferLimit;
    private long filePosition;
    private long fileRemaining; // body bytes not yet read from the file
    private boolean closed;

    /**
     * @param channel          open on the snapshot file; closed with this stream
     * @param bodyOffset       where to start, as an offset in the body
     * @param bodySize         the body's size
     * @param expectedChecksum the body's CRC32C, checked when {@code bodyOffset} is 0
     */
    public SnapshotInputStream(FileChannel channel, Path file, long bodyOffset, long bodySize,
                               long expectedChecksum) {
        this.channel = channel;
        this.file = file;
        this.filePosition = SnapshotHeader.BYTES + bodyOffset;
        this.fileRemaining = bodySize - bodyOffset;
        this.crc = bodyOffset == 0 ? new CRC32C() : null;
        this.expectedChecksum = expectedChecksum;
        this.buffer = new byte[(int) Math.min(BUFFER_BYTES, Math.max(1, fileRemaining))];
    }

    @Override
    public int read() throws IOException {
        checkOpen();
        if (bufferPos == bufferLimit && !fill()) {
            return -1;
        }
        return buffer[bufferPos++] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen();
        if (len == 0) {
            return 0;
        }
        if (bufferPos < bufferLimit) {
            int n = Math.min(len, bufferLimit - bufferPos);
            System.arraycopy(buffer, bufferPos, b, off, n);
            bufferPos += n;
            return n;
        }
        if (fileRemaining == 0) {
            return -1;
        }
        if (len >= buffer.length) {
            return readFile(b, off, len);
        }
        fill();
        return read(b, off, len);
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, bufferLimit - bufferPos + fileRemaining);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    /** Refills the empty buffer; false at the end of the body. */
    private boolean fill() throws IOException {
        if (fileRemaining == 0) {
            return false;
        }
        bufferLimit = readFile(buffer, 0, buffer.length);
        bufferPos = 0;
        return true;
    }

    /** Reads at most {@code len} (and {@value #MAX_READ_BYTES}) body bytes from the file; checksums them. */
    private int readFile(byte[] b, int off, int len) throws IOException {
        int n = (int) Math.min(Math.min(len, fileRemaining), MAX_READ_BYTES);
        FileIo.readFully(channel, ByteBuffer.wrap(b, off, n), filePosition);
        filePosition += n;
        fileRemaining -= n;
        if (crc != null) {
            crc.update(b, off, n);
            if (fileRemaining == 0 && crc.getValue() != expectedChecksum) {
                throw new IOException(String.format("snapshot file %s changed on disk after it was verified: the "
                        + "body's checksum is %08x, its metadata says %08x", file, crc.getValue(), expectedChecksum));
            }
        }
        return n;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("snapshot stream on " + file + " is closed");
        }
    }
}
