package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * Makes a suffix truncation atomic across crashes. Cutting a log can touch several files (delete later segments,
 * shorten one), and a crash in between would leave a log that is neither the old nor the new one. So before
 * touching any segment the I/O thread durably records "the log ends before index N" in this file; recovery that
 * finds it finishes the cut; the file is removed (durably) only after the cut is durable and before any entry at
 * or above N is written again. Big-endian:
 * <pre>
 *  0  int32  magic "KLTI"
 *  4  int16  format version (1)
 *  6  int16  reserved, 0
 *  8  int64  first index removed
 * 16  int32  CRC32C of bytes [0, 16)
 * </pre>
 */
public final class TruncationIntent {
    static final int MAGIC = 0x4B4C5449; // "KLTI"
    static final int VERSION = 1;
    static final int BYTES = 20;

    private TruncationIntent() {
    }

    static byte[] encode(long fromIndex) {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).putLong(fromIndex);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 16);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Durably records that entries from {@code fromIndex} on are being removed. */
    public static void write(ChannelFactory channels, Path directory, long fromIndex, boolean fsync)
            throws IOException {
        FileIo.replaceAtomically(channels, directory.resolve(SegmentFiles.TRUNCATION_INTENT), encode(fromIndex),
                fsync);
    }

    /** Durably removes the intent once the truncation it records is durable. */
    public static void clear(ChannelFactory channels, Path directory, boolean fsync) throws IOException {
        Files.deleteIfExists(directory.resolve(SegmentFiles.TRUNCATION_INTENT));
        if (fsync) {
            FileIo.fsyncDirectory(channels, directory);
        }
    }

    /**
     * The recorded truncation point, if a truncation was interrupted.
     *
     * @throws StorageException if the file exists but is corrupt
     */
    public static OptionalLong read(Path directory) throws IOException {
        Path file = directory.resolve(SegmentFiles.TRUNCATION_INTENT);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        String problem = null;
        if (bytes.length != BYTES) {
            problem = "size " + bytes.length + " (expected " + BYTES + ") at offset 0";
        } else if (b.getInt(0) != MAGIC) {
            problem = "bad magic at offset 0";
        } else if (Short.toUnsignedInt(b.getShort(4)) != VERSION) {
            problem = "unsupported format version " + Short.toUnsignedInt(b.getShort(4)) + " at offset 4";
        } else {
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, 16);
            if (b.getInt(16) != (int) crc.getValue()) {
                problem = "checksum mismatch at offset 16";
            } else if (b.getLong(8) < 1) {
                problem = "truncation index " + b.getLong(8) + " at offset 8 is below 1";
            }
        }
        if (problem != null) {
            throw new StorageException("truncation intent file " + file + " is corrupt: " + problem
                    + "; cannot tell where the interrupted truncation ends");
        }
        return OptionalLong.of(b.getLong(8));
    }
}
