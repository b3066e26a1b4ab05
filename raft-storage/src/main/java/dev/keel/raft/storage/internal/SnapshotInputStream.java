package dev.keel.raft.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Reads a snapshot's body from a file, from any offset, in bounded pieces (at most {@value #MAX_READ_BYTES} bytes per
 * call, so the JDK's temporary direct buffer for a heap read stays small whatever the caller asks for). Read from
 * the start, it also checksums what it returns and fails the read that delivers the last bytes if they do not match
 * the metadata: a file damaged after it was verified at open is never restored silently. Not thread-safe.
 */
public final class SnapshotInputStream extends InputStream {
    static final int MAX_READ_BYTES = 256 * 1024;

    private final FileChannel channel;
    private final Path file;
    private final CRC32C crc; // null when not read from the start
    private final long expectedChecksum;
    private long position;
    private long remaining;
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
        this.position = SnapshotHeader.BYTES + bodyOffset;
        this.remaining = bodySize - bodyOffset;
        this.crc = bodyOffset == 0 ? new CRC32C() : null;
        this.expectedChecksum = expectedChecksum;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("snapshot stream on " + file + " is closed");
        }
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        int n = (int) Math.min(Math.min(len, remaining), MAX_READ_BYTES);
        ByteBuffer dst = ByteBuffer.wrap(b, off, n);
        FileIo.readFully(channel, dst, position);
        position += n;
        remaining -= n;
        if (crc != null) {
            crc.update(b, off, n);
            if (remaining == 0 && crc.getValue() != expectedChecksum) {
                throw new IOException(String.format("snapshot file %s changed on disk after it was verified: the "
                        + "body's checksum is %08x, its metadata says %08x", file, crc.getValue(), expectedChecksum));
            }
        }
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, remaining);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }
}
