package dev.keel.raft.storage.internal;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.SnapshotMetadata;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The metadata at the end of a snapshot file, written after the body. Big-endian:
 * <pre>
 *  0  int32  magic "KLSM"
 *  4  int16  format version ({@value SnapshotFormat#VERSION})
 *  6  int16  member count m (at least 1)
 *  8  int64  last included index
 * 16  int64  last included term
 * 24  int64  body size in bytes
 * 32  int32  CRC32C of the body
 * 36  m x    (int16 length n, n bytes: a member's node id in UTF-8), sorted
 *  .  int32  trailer length T: the bytes from offset 0 of the trailer to the end of the file
 *  .  int32  CRC32C of the trailer's bytes [0, T - 4): the metadata's own checksum
 * </pre>
 * A reader finds the trailer from the end of the file (its last 8 bytes give T), so a truncated file, whose end is
 * no longer a trailer, fails its checksum.
 */
public final class SnapshotTrailer {
    static final int MAGIC = 0x4B4C534D; // "KLSM"
    private static final int FIXED_BYTES = 36;
    /** The length and checksum fields at the very end of the file. */
    public static final int FOOTER_BYTES = 8;
    /** The smallest possible trailer: one member of one character. */
    public static final int MIN_BYTES = FIXED_BYTES + 2 + 1 + FOOTER_BYTES;
    /** A generous bound that keeps a corrupt length from making the reader allocate gigabytes. */
    public static final int MAX_BYTES = FIXED_BYTES + 65_535 * (2 + 64) + FOOTER_BYTES;

    private SnapshotTrailer() {
    }

    /** The trailer bytes for {@code m}, ready to write after the body. */
    public static ByteBuffer encode(SnapshotMetadata m) {
        List<byte[]> members = m.members().stream().sorted().map(id -> id.value().getBytes(StandardCharsets.UTF_8))
                .toList();
        if (members.size() > 65_535) {
            throw new IllegalArgumentException("a snapshot can record at most 65535 members, got " + members.size());
        }
        int length = FIXED_BYTES + FOOTER_BYTES;
        for (byte[] id : members) {
            length += 2 + id.length;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).putShort((short) SnapshotFormat.VERSION).putShort((short) members.size())
                .putLong(m.index()).putLong(m.term()).putLong(m.size()).putInt((int) m.checksum());
        for (byte[] id : members) {
            b.putShort((short) id.length).put(id);
        }
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
        int count = Short.toUnsignedInt(b.getShort(start + 6));
        ByteBuffer fields = b.duplicate().position(start + 8).limit(start + length - FOOTER_BYTES);
        long index = fields.getLong();
        long term = fields.getLong();
        long size = fields.getLong();
        long checksum = Integer.toUnsignedLong(fields.getInt());
        Set<NodeId> members = new HashSet<>();
        for (int i = 0; i < count; i++) {
            if (fields.remaining() < 2) {
                throw new IllegalArgumentException("metadata names " + count + " members but holds only " + i);
            }
            int n = Short.toUnsignedInt(fields.getShort());
            if (fields.remaining() < n) {
                throw new IllegalArgumentException("member " + i + " of the metadata runs past its end");
            }
            byte[] id = new byte[n];
            fields.get(id);
            members.add(NodeId.of(new String(id, StandardCharsets.UTF_8)));
        }
        if (fields.hasRemaining()) {
            throw new IllegalArgumentException(fields.remaining() + " unexplained bytes after the members");
        }
        return new SnapshotMetadata(index, term, members, size, checksum);
    }
}
