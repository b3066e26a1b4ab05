package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Makes a multi-file change to the log atomic across crashes: a suffix truncation (delete later segments, shorten
 * one) or a reset (delete every segment, start an empty one at a new index). A crash in the middle of either would
 * leave a log that is neither the old nor the new one. So before touching any segment the I/O thread durably records
 * what it is about to do in this file; recovery that finds it finishes the change; the file is removed (durably) only
 * after the change is durable and before any new entry is written. Big-endian:
 * <pre>
 *  0  int32  magic "KLTI"
 *  4  int16  format version (1)
 *  6  int16  kind: 0 = truncate the suffix from the index, 1 = reset the log to continue at the index
 *  8  int64  the index: first index removed (truncation) or next index of the empty log (reset)
 * 16  int32  CRC32C of bytes [0, 16)
 * </pre>
 * Bytes 6-7 were "reserved, 0" before resets existed, so every older intent file reads as a truncation.
 */
public final class TruncationIntent {
    static final int MAGIC = 0x4B4C5449; // "KLTI"
    static final int VERSION = 1;
    static final int BYTES = 20;

    /** What the interrupted change was. */
    public enum Kind {
        /** Remove the entries from the index on. */
        TRUNCATE_SUFFIX(0),
        /** Remove every entry; the log continues at the index. */
        RESET(1);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    /** A recorded intent: {@code kind} at {@code index}. */
    public record Intent(Kind kind, long index) {
    }

    private TruncationIntent() {
    }

    static byte[] encode(Kind kind, long index) {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) kind.code).putLong(index);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 16);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Durably records that entries from {@code fromIndex} on are being removed. */
    public static void write(ChannelFactory channels, Path directory, long fromIndex, boolean fsync)
            throws IOException {
        write(channels, directory, Kind.TRUNCATE_SUFFIX, fromIndex, fsync);
    }

    /** Durably records that every entry is being removed and the log will continue at {@code nextIndex}. */
    public static void writeReset(ChannelFactory channels, Path directory, long nextIndex, boolean fsync)
            throws IOException {
        write(channels, directory, Kind.RESET, nextIndex, fsync);
    }

    private static void write(ChannelFactory channels, Path directory, Kind kind, long index, boolean fsync)
            throws IOException {
        FileIo.replaceAtomically(channels, directory.resolve(SegmentFiles.TRUNCATION_INTENT), encode(kind, index),
                fsync);
    }

    /** Durably removes the intent once the change it records is durable. */
    public static void clear(ChannelFactory channels, Path directory, boolean fsync) throws IOException {
        Files.deleteIfExists(directory.resolve(SegmentFiles.TRUNCATION_INTENT));
        if (fsync) {
            FileIo.fsyncDirectory(channels, directory);
        }
    }

    /**
     * The recorded change, if one was interrupted.
     *
     * @throws StorageException if the file exists but is corrupt
     */
    public static Optional<Intent> read(Path directory) throws IOException {
        Path file = directory.resolve(SegmentFiles.TRUNCATION_INTENT);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        String problem = null;
        Kind kind = null;
        if (bytes.length != BYTES) {
            problem = "size " + bytes.length + " (expected " + BYTES + ") at offset 0";
        } else if (b.getInt(0) != MAGIC) {
            problem = "bad magic at offset 0";
        } else if (Short.toUnsignedInt(b.getShort(4)) != VERSION) {
            problem = "unsupported format version " + Short.toUnsignedInt(b.getShort(4)) + " at offset 4";
        } else {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, 16);
            kind = Kind.ofCode(Short.toUnsignedInt(b.getShort(6)));
            if (b.getInt(16) != (int) crc.getValue()) {
                problem = "checksum mismatch at offset 16";
            } else if (kind == null) {
                problem = "unknown kind " + Short.toUnsignedInt(b.getShort(6)) + " at offset 6 (written by a newer "
                        + "release?)";
            } else if (b.getLong(8) < 1) {
                problem = "index " + b.getLong(8) + " at offset 8 is below 1";
            }
        }
        if (problem != null) {
            throw new StorageException("truncation intent file " + file + " is corrupt: " + problem
                    + "; cannot tell how the interrupted truncation or reset ends");
        }
        return Optional.of(new Intent(kind, b.getLong(8)));
    }
}
