package dev.keel.raft.storage.internal;

import dev.keel.raft.log.SnapshotMetadata;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Checks a committed snapshot file from end to end before it is trusted: header (magic, version, checksum, index =
 * file name), the metadata trailer found from the end (length, magic, version, its own checksum, index and term =
 * header), the size (header + body + trailer = file), and the CRC32C of the whole body. Reads the body in bounded
 * chunks, whatever its size.
 */
public final class SnapshotVerifier {
    private static final int CHUNK_BYTES = 1 << 20;

    private SnapshotVerifier() {
    }

    /**
     * The metadata of {@code file} if every check passes.
     *
     * @throws CorruptSnapshotException naming the offset and the problem, if one fails
     * @throws IOException              if the file cannot be read at all
     */
    public static SnapshotMetadata verify(ChannelFactory channels, Path file) throws IOException {
        long nameIndex = SnapshotFiles.parseIndex(file);
        try (FileChannel ch = channels.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < SnapshotHeader.BYTES) {
                throw new CorruptSnapshotException(file, 0, "the file is " + size + " bytes, shorter than the "
                        + SnapshotHeader.BYTES + "-byte header");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate(SnapshotHeader.BYTES);
            FileIo.readFully(ch, headerBytes, 0);
            SnapshotHeader header;
            try {
                header = SnapshotHeader.decode(headerBytes.flip(), nameIndex);
            } catch (IllegalArgumentException e) {
                throw new CorruptSnapshotException(file, 0, "bad header: " + e.getMessage());
            }
            Trailer trailer = readTrailer(ch, file, size);
            SnapshotMetadata meta = trailer.metadata();
            if (meta.index() != header.index() || meta.term() != header.term()) {
                throw new CorruptSnapshotException(file, size - trailer.length(),
                        "the metadata says " + meta.index() + "@" + meta.term() + " but the header says "
                                + header.index() + "@" + header.term());
            }
            long expectedSize = SnapshotHeader.BYTES + meta.size() + trailer.length();
            if (expectedSize != size) {
                throw new CorruptSnapshotException(file, size, "the metadata gives a body of " + meta.size()
                        + " bytes, so the file should be " + expectedSize + " bytes, but it is " + size);
            }
            long crc = bodyChecksum(ch, meta.size());
            if (crc != meta.checksum()) {
                throw new CorruptSnapshotException(file, SnapshotHeader.BYTES, String.format("body checksum "
                        + "mismatch: the metadata says %08x, the %d bytes read give %08x", meta.checksum(),
                        meta.size(), crc));
            }
            return meta;
        }
    }

    private record Trailer(SnapshotMetadata metadata, int length) {
    }

    private static Trailer readTrailer(FileChannel ch, Path file, long size) throws IOException {
        long room = size - SnapshotHeader.BYTES;
        if (room < SnapshotTrailer.MIN_BYTES) {
            throw new CorruptSnapshotException(file, size, "the file ends " + room + " bytes after the header, too "
                    + "soon for a metadata trailer: it is truncated");
        }
        ByteBuffer footer = ByteBuffer.allocate(SnapshotTrailer.FOOTER_BYTES);
        FileIo.readFully(ch, footer, size - SnapshotTrailer.FOOTER_BYTES);
        int length = footer.getInt(0);
        if (length < SnapshotTrailer.MIN_BYTES || length > SnapshotTrailer.MAX_BYTES || length > room) {
            throw new CorruptSnapshotException(file, size - SnapshotTrailer.FOOTER_BYTES, "impossible metadata "
                    + "trailer length " + length + ": the file is truncated or damaged");
        }
        ByteBuffer trailer = ByteBuffer.allocate(length);
        FileIo.readFully(ch, trailer, size - length);
        try {
            return new Trailer(SnapshotTrailer.decode(trailer.flip()), length);
        } catch (IllegalArgumentException e) {
            throw new CorruptSnapshotException(file, size - length, "bad metadata trailer: " + e.getMessage());
        }
    }

    private static long bodyChecksum(FileChannel ch, long bodySize) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(CHUNK_BYTES, Math.max(1, bodySize)));
        long position = SnapshotHeader.BYTES;
        long end = SnapshotHeader.BYTES + bodySize;
        while (position < end) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), end - position));
            FileIo.readFully(ch, chunk, position);
            position += chunk.flip().remaining();
            crc.update(chunk);
        }
        return crc.getValue();
    }
}
