package dev.keel.raft.storage.internal;

import dev.keel.raft.NodeId;
import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.HardState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The hard state file, replaced atomically (temporary file, force, rename, force directory) so a crash leaves the
 * old or the new state. Big-endian:
 * <pre>
 *  0  int32  magic "KLHS"
 *  4  int16  format version ({@value #VERSION})
 *  6  int16  length n of the voted-for node id in UTF-8 bytes; 0 when no vote
 *  8  int64  term
 * 16  n      voted-for node id
 * 16+n int32 CRC32C of bytes [0, 16 + n)
 * </pre>
 * Any mismatch is corruption and refuses the open: silently falling back to an older term or vote could let this
 * server vote twice in one term.
 */
public final class HardStateFile {
    static final int MAGIC = 0x4B4C4853; // "KLHS"
    static final int VERSION = 1;
    private static final int FIXED_BYTES = 20;

    private HardStateFile() {
    }

    /** The encoded file contents. */
    public static byte[] encode(HardState state) {
        byte[] vote = state.votedFor() == null ? new byte[0]
                : state.votedFor().value().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(FIXED_BYTES + vote.length);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) vote.length).putLong(state.term()).put(vote);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Atomically replaces the hard state in {@code directory}. */
    public static void write(ChannelFactory channels, Path directory, HardState state, boolean fsync)
            throws IOException {
        FileIo.replaceAtomically(channels, directory.resolve(SegmentFiles.HARD_STATE), encode(state), fsync);
    }

    /**
     * Reads the hard state of {@code directory}; {@link HardState#INITIAL} if none was ever saved.
     *
     * @throws StorageException naming the file, offset and problem if it is corrupt
     */
    public static HardState read(Path directory) throws IOException {
        Path file = directory.resolve(SegmentFiles.HARD_STATE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return HardState.INITIAL;
        }
        return decode(bytes, file);
    }

    static HardState decode(byte[] bytes, Path file) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length < FIXED_BYTES) {
            throw corrupt(file, 0, "file is " + bytes.length + " bytes, shorter than the smallest valid one ("
                    + FIXED_BYTES + ")");
        }
        if (b.getInt(0) != MAGIC) {
            throw corrupt(file, 0, String.format("bad magic 0x%08x", b.getInt(0)));
        }
        int version = Short.toUnsignedInt(b.getShort(4));
        if (version != VERSION) {
            throw corrupt(file, 4, "unsupported hard state format version " + version + " (this build reads "
                    + VERSION + ")");
        }
        int voteLength = Short.toUnsignedInt(b.getShort(6));
        if (bytes.length != FIXED_BYTES + voteLength) {
            throw corrupt(file, 6, "vote length " + voteLength + " does not match the file size " + bytes.length);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 16 + voteLength);
        if (b.getInt(16 + voteLength) != (int) crc.getValue()) {
            throw corrupt(file, 16 + voteLength, "checksum mismatch");
        }
        long term = b.getLong(8);
        try {
            NodeId vote = voteLength == 0 ? null
                    : NodeId.of(new String(bytes, 16, voteLength, StandardCharsets.UTF_8));
            return new HardState(term, vote);
        } catch (IllegalArgumentException e) {
            throw corrupt(file, 8, "checksummed content is invalid: " + e.getMessage());
        }
    }

    private static StorageException corrupt(Path file, long offset, String what) {
        return new StorageException("hard state file " + file + " is corrupt at offset " + offset + ": " + what
                + "; refusing to open rather than fall back to an older term or vote");
    }
}
