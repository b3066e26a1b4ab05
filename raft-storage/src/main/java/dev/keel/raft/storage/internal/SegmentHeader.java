package dev.keel.raft.storage.internal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The fixed header at the start of every segment file. Big-endian:
 * <pre>
 *  0  int32  magic "KLSG"
 *  4  int16  format version ({@value #VERSION})
 *  6  int16  reserved, 0
 *  8  int64  base index: the index of the segment's first record
 * 16  12     reserved, 0
 * 28  int32  CRC32C of bytes [0, 28)
 * </pre>
 * The version is read before the checksum so that a file from a newer release is reported as such rather than as
 * corrupt.
 *
 * @param baseIndex index of the segment's first entry
 */
public record SegmentHeader(long baseIndex) {
    /** Size of the header; the first record starts here. */
    public static final int BYTES = 32;
    /** The only segment format this build reads and writes. */
    public static final int VERSION = 1;
    static final int MAGIC = 0x4B4C5347; // "KLSG"

    /** The header bytes. */
    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).putLong(baseIndex)
                .putLong(0).putInt(0);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 28);
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /**
     * Parses and checks a header.
     *
     * @return null if it is intact, else what is wrong with it
     */
    public static String check(ByteBuffer b, long expectedBase) {
        if (b.remaining() < BYTES) {
            return "file is " + b.remaining() + " bytes, shorter than the " + BYTES + "-byte segment header";
        }
        int start = b.position();
        int magic = b.getInt(start);
        if (magic != MAGIC) {
            return String.format("bad magic 0x%08x (expected 0x%08x): not a Keel log segment", magic, MAGIC);
        }
        int version = Short.toUnsignedInt(b.getShort(start + 4));
        if (version != VERSION) {
            return "unsupported segment format version " + version + " (this build reads version " + VERSION + ")";
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(start).limit(start + 28));
        if (b.getInt(start + 28) != (int) crc.getValue()) {
            return "header checksum mismatch";
        }
        long base = b.getLong(start + 8);
        if (base != expectedBase) {
            return "header says base index " + base + " but the file name says " + expectedBase;
        }
        return null;
    }
}
