package dev.keel.raft.storage.internal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The fixed header at the start of every snapshot file, written when the file is created, before the body.
 * Big-endian:
 * <pre>
 *  0  int32  magic "KLSN"
 *  4  int16  format version ({@value SnapshotFormat#VERSION})
 *  6  int16  reserved, 0
 *  8  int64  last included index
 * 16  int64  last included term
 * 24  int32  reserved, 0
 * 28  int32  CRC32C of bytes [0, 28)
 * </pre>
 * The version is read before anything else is trusted, so that a file from a newer release is reported as such
 * rather than as corrupt.
 *
 * @param index the last log index the snapshot covers
 * @param term  the term of that entry
 */
public record SnapshotHeader(long index, long term) {
    /** Size of the header; the body starts here. */
    public static final int BYTES = 32;
    static final int MAGIC = 0x4B4C534E; // "KLSN"

    /** The header bytes, ready to write. */
    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putInt(MAGIC).putShort((short) SnapshotFormat.VERSION).putShort((short) 0).putLong(index).putLong(term)
                .putInt(0);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 28);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /**
     * Parses and checks the {@link #BYTES} bytes at {@code b}'s position.
     *
     * @param expectedIndex the index the file name gives
     * @return the header
     * @throws IllegalArgumentException with what is wrong, if it is not an intact header for {@code expectedIndex}
     */
    public static SnapshotHeader decode(ByteBuffer b, long expectedIndex) {
        int start = b.position();
        int magic = b.getInt(start);
        if (magic != MAGIC) {
            throw new IllegalArgumentException(String.format("bad magic 0x%08x (expected 0x%08x): not a Keel "
                    + "snapshot", magic, MAGIC));
        }
        int version = Short.toUnsignedInt(b.getShort(start + 4));
        if (version != SnapshotFormat.VERSION) {
            throw new IllegalArgumentException("unsupported snapshot format version " + version
                    + " (this build reads version " + SnapshotFormat.VERSION + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(start).limit(start + 28));
        if (b.getInt(start + 28) != (int) crc.getValue()) {
            throw new IllegalArgumentException("header checksum mismatch");
        }
        long index = b.getLong(start + 8);
        if (index != expectedIndex) {
            throw new IllegalArgumentException("header says index " + index + " but the file name says "
                    + expectedIndex);
        }
        return new SnapshotHeader(index, b.getLong(start + 16));
    }
}
