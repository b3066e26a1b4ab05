package dev.keel.raft.storage.internal;

import dev.keel.raft.Membership;
import dev.keel.raft.log.SnapshotMetadata;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The metadata at the end of a snapshot file, written after the body. Big-endian:
 * <pre>
 *  0  int32  magic "KLSM"
 *  4  int16  format version ({@value SnapshotFormat#VERSION})
 *  6  int16  reserved, 0
 *  8  int64  last included index
 * 16  int64  last included term
 * 24  int64  body size in bytes
 * 32  int32  CRC32C of the body
 * 36  int64  index of the configuration entry in effect at the last included index (0: the initial one)
 * 44  int32  length L of the configuration
 * 48  L      the configuration, in dev.keel.raft.Membership's binary form
 *  .  int32  trailer length T: the bytes from offset 0 of the trailer to the end of the file
 *  .  int32  CRC32C of the trailer's bytes [0, T - 4): the metadata's own checksum
 * </pre>
 * A reader finds the trailer from the end of the file (its last 8 bytes give T), so a truncated file, whose end is
 * no longer a trailer, fails its checksum.
 */
public final class SnapshotTrailer {
    static final int MAGIC = 0x4B4C534D; // "KLSM"
    private static final int FIXED_BYTES = 48;
    /** The length and checksum fields at the very end of the file. */
    public static final int FOOTER_BYTES = 8;
    /** The smallest possible trailer: a configuration of one byte (none is that small, so this is a floor). */
    public static final int MIN_BYTES = FIXED_BYTES + 1 + FOOTER_BYTES;
    /** A generous bound that keeps a corrupt length from making the reader allocate gigabytes. */
    public static final int MAX_BYTES = FIXED_BYTES + (8 << 20) + FOOTER_BYTES;

    private SnapshotTrailer() {
    }

    /** The trailer bytes for {@code m}, ready to write after the body. */
    public static ByteBuffer encode(SnapshotMetadata m) {
        byte[] membership = m.membership().encode();
        if (membership.length > (8 << 20)) {
            throw new IllegalArgumentException("a snapshot's configuration must encode to at most 8 MiB, got "
                    + membership.length + " bytes");
        }
        int length = FIXED_BYTES + membership.length + FOOTER_BYTES;
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).putShort((short) SnapshotFormat.VERSION).putShort((short) 0)
                .putLong(m.index()).putLong(m.term()).putLong(m.size()).putInt((int) m.checksum())
                .putLong(m.membershipIndex()).putInt(membership.length).put(membership);
        b.putInt(length);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /**
     * Decodes a whole trailer (found from the file's end).
     *
     * @throws IllegalArgumentException with what is wrong
     */
    public static SnapshotMetadata decode(ByteBuffer b) {
        int length = b.remaining();
        int start = b.position();
        if (b.getInt(start) != MAGIC) {
            throw new IllegalArgumentException(String.format("no metadata trailer where the file's last bytes "
                    + "say it starts (bad magic 0x%08x): a truncated or damaged file", b.getInt(start)));
        }
        // Checksum before version (unlike the header): the header has already vouched for the format, so a version
        // that differs here is damage, and should be reported as such.
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(start).limit(start + length - 4));
        if (b.getInt(start + length - 4) != (int) crc.getValue()) {
            throw new IllegalArgumentException("metadata checksum mismatch");
        }
        int version = Short.toUnsignedInt(b.getShort(start + 4));
        if (version != SnapshotFormat.VERSION) {
            throw new IllegalArgumentException("unsupported snapshot metadata format version " + version
                    + " (this build reads version " + SnapshotFormat.VERSION + ")");
        }
        ByteBuffer fields = b.duplicate().position(start + 8).limit(start + length - FOOTER_BYTES);
        if (fields.remaining() < FIXED_BYTES - 8) {
            throw new IllegalArgumentException("metadata too short: " + length + " bytes");
        }
        long index = fields.getLong();
        long term = fields.getLong();
        long size = fields.getLong();
        long checksum = Integer.toUnsignedLong(fields.getInt());
        long membershipIndex = fields.getLong();
        int n = fields.getInt();
        if (n < 0 || n != fields.remaining()) {
            throw new IllegalArgumentException("metadata says the configuration takes " + n + " bytes but "
                    + fields.remaining() + " remain");
        }
        byte[] encoded = new byte[n];
        fields.get(encoded);
        return new SnapshotMetadata(index, term, Membership.decode(encoded), membershipIndex, size, checksum);
    }
}
