package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.LogEntry;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The framing of one log entry in a segment file. Big-endian:
 * <pre>
 *  0  int32  payload length n
 *  4  int32  CRC32C of bytes [0, 4) and [8, 25 + n): everything in the record but the checksum itself
 *  8  int64  term
 * 16  int64  index
 * 24  int8   entry type code ({@link EntryType#code()})
 * 25  n      payload
 * </pre>
 * The length is covered by the checksum so that a corrupted length cannot make the reader skip silently over data.
 */
public final class RecordFormat {
    /** Bytes before the payload. */
    public static final int HEADER_BYTES = 25;
    /** Largest payload accepted, so that a record always fits a segment addressed with 32-bit offsets. */
    public static final int MAX_PAYLOAD_BYTES = 1 << 30;

    static final int LENGTH_OFFSET = 0;
    static final int CRC_OFFSET = 4;
    static final int TERM_OFFSET = 8;
    static final int INDEX_OFFSET = 16;
    static final int TYPE_OFFSET = 24;

    private RecordFormat() {
    }

    /** Bytes the entry occupies on disk. */
    public static int recordSize(LogEntry entry) {
        return HEADER_BYTES + entry.data().length;
    }

    /** {@link LogEntry#sizeInBytes()} of a record of {@code recordSize} bytes, without decoding it. */
    public static long entrySizeOfRecord(int recordSize) {
        return recordSize - HEADER_BYTES + LogEntry.OVERHEAD_BYTES;
    }

    /**
     * Writes the whole record at {@code dst}'s position, which must have {@link #recordSize} bytes remaining.
     */
    public static void encode(LogEntry entry, ByteBuffer dst, CRC32C crc) {
        int start = dst.position();
        byte[] data = entry.data();
        dst.putInt(data.length).putInt(0).putLong(entry.term()).putLong(entry.index())
                .put((byte) entry.type().code()).put(data);
        crc.reset();
        updateCrc(crc, dst, start, start + CRC_OFFSET);
        updateCrc(crc, dst, start + TERM_OFFSET, dst.position());
        dst.putInt(start + CRC_OFFSET, (int) crc.getValue());
    }

    /**
     * Adds {@code buf[from, to)} to {@code crc} and leaves the buffer's position and limit as they were. Moving the
     * buffer's own window instead of checksumming a {@code duplicate()} keeps the write path free of allocation (two
     * duplicates per record were 7% of a busy node's allocated bytes).
     */
    private static void updateCrc(CRC32C crc, ByteBuffer buf, int from, int to) {
        int position = buf.position();
        int limit = buf.limit();
        buf.limit(to).position(from);
        crc.update(buf);
        buf.limit(limit).position(position);
    }

    /**
     * Writes only the 25-byte header (checksum included) of a record whose payload the caller writes right after;
     * used for entries too big for the write buffer.
     */
    public static void encodeHeader(LogEntry entry, ByteBuffer dst, CRC32C crc) {
        int start = dst.position();
        byte[] data = entry.data();
        dst.putInt(data.length).putInt(0).putLong(entry.term()).putLong(entry.index())
                .put((byte) entry.type().code());
        crc.reset();
        updateCrc(crc, dst, start, start + CRC_OFFSET);
        updateCrc(crc, dst, start + TERM_OFFSET, dst.position());
        crc.update(data, 0, data.length);
        dst.putInt(start + CRC_OFFSET, (int) crc.getValue());
    }

    /**
     * Decodes the record at {@code src}'s position (which must hold all of it), verifying checksum and index, and
     * advances the position past it.
     *
     * @param where describes the record's location (file and offset) for the error message
     * @throws StorageException if the record is not intact or is not entry {@code expectedIndex}
     */
    public static LogEntry decode(ByteBuffer src, long expectedIndex, CRC32C crc, String where) {
        int start = src.position();
        if (src.remaining() < HEADER_BYTES) {
            throw new StorageException("corrupt log record at " + where + ": truncated header");
        }
        int length = src.getInt(start + LENGTH_OFFSET);
        if (length < 0 || length > src.remaining() - HEADER_BYTES) {
            throw new StorageException("corrupt log record at " + where + ": length " + length
                    + " does not match the indexed record size " + (src.remaining() - HEADER_BYTES));
        }
        crc.reset();
        crc.update(src.duplicate().position(start).limit(start + CRC_OFFSET));
        crc.update(src.duplicate().position(start + TERM_OFFSET).limit(start + HEADER_BYTES + length));
        int stored = src.getInt(start + CRC_OFFSET);
        if (stored != (int) crc.getValue()) {
            throw new StorageException("corrupt log record at " + where + ": checksum mismatch");
        }
        long term = src.getLong(start + TERM_OFFSET);
        long index = src.getLong(start + INDEX_OFFSET);
        int typeCode = src.get(start + TYPE_OFFSET);
        if (index != expectedIndex) {
            throw new StorageException("corrupt log record at " + where + ": holds index " + index
                    + " where index " + expectedIndex + " belongs");
        }
        EntryType type;
        try {
            type = EntryType.fromCode(typeCode);
        } catch (IllegalArgumentException e) {
            throw new StorageException("corrupt log record at " + where + ": unknown entry type code " + typeCode);
        }
        byte[] data = new byte[length];
        src.position(start + HEADER_BYTES);
        src.get(data);
        return new LogEntry(index, term, type, data);
    }
}
