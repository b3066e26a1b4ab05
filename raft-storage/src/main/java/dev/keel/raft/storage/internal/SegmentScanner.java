package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.EntryType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads a segment file at open, verifying its header and every record, and builds its offset index. Applies the
 * recovery rules: only the last segment may end in a torn record, and only if no intact record follows it; every
 * other anomaly refuses the open with the file, offset and problem.
 */
final class SegmentScanner {
    private static final Logger log = LoggerFactory.getLogger(SegmentScanner.class);

    enum Status { VALID, INCOMPLETE, BAD_LENGTH, BAD_CHECKSUM }

    /** What is at one offset of a file. */
    record Probe(Status status, int length, long term, long index, int typeCode) {
        String describe() {
            return switch (status) {
                case VALID -> "an intact record";
                case INCOMPLETE -> "an incomplete record";
                case BAD_LENGTH -> "a record with an impossible length " + length;
                case BAD_CHECKSUM -> "a record whose checksum does not match";
            };
        }
    }

    private final Path file;
    private final long baseIndex;
    private final FileChannel channel;
    private final FileWindow window;
    private final CRC32C crc = new CRC32C();

    private SegmentScanner(Path file, long baseIndex, FileChannel channel) throws IOException {
        this.file = file;
        this.baseIndex = baseIndex;
        this.channel = channel;
        this.window = new FileWindow(channel, channel.size());
    }

    /**
     * Scans {@code file}, appending its terms to {@code terms}, and cuts a torn tail if {@code last}.
     *
     * @return the segment, or null if it is the last one and its creation was torn (no header, or an all-zero one,
     *         and no intact record): the caller deletes it
     * @throws StorageException on corruption
     */
    static Segment scan(ChannelFactory channels, Path file, long baseIndex, boolean last, TermIndex terms)
            throws IOException {
        try (FileChannel ch = channels.open(file, last ? new StandardOpenOption[]{StandardOpenOption.READ,
                StandardOpenOption.WRITE} : new StandardOpenOption[]{StandardOpenOption.READ})) {
            return new SegmentScanner(file, baseIndex, ch).scan(last, terms);
        }
    }

    /**
     * The offset of the record for {@code index} in {@code file}, walking intact records from the start; or -1 if
     * the intact records end before it (then there is nothing at or past {@code index} to remove).
     */
    static long offsetOf(ChannelFactory channels, Path file, long baseIndex, long index) throws IOException {
        try (FileChannel ch = channels.open(file, StandardOpenOption.READ)) {
            SegmentScanner s = new SegmentScanner(file, baseIndex, ch);
            s.checkHeader();
            long pos = SegmentHeader.BYTES;
            long expected = baseIndex;
            while (expected < index) {
                Probe p = s.probe(pos);
                if (p.status() != Status.VALID || p.index() != expected) {
                    return -1;
                }
                pos += RecordFormat.HEADER_BYTES + p.length();
                expected++;
            }
            return pos;
        }
    }

    private Segment scan(boolean last, TermIndex terms) throws IOException {
        if (last && tornHeader() && findIntactRecordAfter(-1) < 0) {
            log.warn("Deleting {}: its creation was torn by a crash ({} bytes, no header); it held nothing "
                    + "acknowledged", file, window.size());
            return null;
        }
        checkHeader();
        long size = window.size();
        IntArray offsets = new IntArray((int) Math.min(1 << 16, size / 64 + 16));
        long pos = SegmentHeader.BYTES;
        long expected = baseIndex;
        while (pos < size) {
            Probe p = probe(pos);
            if (p.status() == Status.VALID) {
                checkContent(p, pos, expected);
                offsets.add((int) pos);
                terms.append(expected, p.term());
                pos += RecordFormat.HEADER_BYTES + p.length();
                expected++;
                continue;
            }
            if (!last) {
                throw corrupt(pos, p.describe() + " in a sealed segment (only the last segment may end in a torn "
                        + "write)");
            }
            long next = findIntactRecordAfter(pos);
            if (next >= 0) {
                throw corrupt(pos, p.describe() + ", yet an intact record follows at offset " + next
                        + ": that is corruption, not a torn write");
            }
            log.warn("Cutting the torn tail of {} at offset {}: {} bytes holding {}; they were never acknowledged "
                    + "as durable", file, pos, size - pos, p.describe());
            channel.truncate(pos);
            channel.force(true);
            break;
        }
        return new Segment(baseIndex, file, offsets, (int) pos);
    }

    /** True if the header is missing, short or all zeros: what a crash between creation and force leaves. */
    private boolean tornHeader() throws IOException {
        if (window.size() < SegmentHeader.BYTES) {
            for (long i = 0; i < window.size(); i++) {
                if (window.get(i) != 0) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < SegmentHeader.BYTES; i += 8) {
            if (window.getLong(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private void checkHeader() throws IOException {
        ByteBuffer header = ByteBuffer.allocate((int) Math.min(SegmentHeader.BYTES, window.size()));
        FileIo.readFully(channel, header, 0);
        String problem = SegmentHeader.check(header.flip(), baseIndex);
        if (problem != null) {
            throw corrupt(0, "bad segment header: " + problem);
        }
    }

    private void checkContent(Probe p, long pos, long expected) {
        if (p.index() != expected) {
            throw corrupt(pos, "record holds index " + p.index() + " where index " + expected
                    + " belongs (a gap or overlap in the log)");
        }
        if (p.term() < 1) {
            throw corrupt(pos, "record for index " + p.index() + " has term " + p.term() + ", below 1");
        }
        if (!knownType(p.typeCode())) {
            throw corrupt(pos, "record for index " + p.index() + " has unknown entry type code " + p.typeCode()
                    + " (written by a newer release?)");
        }
        if (pos + RecordFormat.HEADER_BYTES + p.length() > Integer.MAX_VALUE) {
            throw corrupt(pos, "record extends past the 2 GiB a segment can address");
        }
    }

    private Probe probe(long pos) throws IOException {
        long size = window.size();
        if (size - pos < RecordFormat.HEADER_BYTES) {
            return new Probe(Status.INCOMPLETE, -1, 0, 0, 0);
        }
        int length = window.getInt(pos + RecordFormat.LENGTH_OFFSET);
        if (length < 0 || length > RecordFormat.MAX_PAYLOAD_BYTES) {
            return new Probe(Status.BAD_LENGTH, length, 0, 0, 0);
        }
        if (pos + RecordFormat.HEADER_BYTES + length > size) {
            return new Probe(Status.INCOMPLETE, length, 0, 0, 0);
        }
        crc.reset();
        window.updateCrc(crc, pos, RecordFormat.CRC_OFFSET);
        window.updateCrc(crc, pos + RecordFormat.TERM_OFFSET,
                RecordFormat.HEADER_BYTES - RecordFormat.TERM_OFFSET + (long) length);
        if (window.getInt(pos + RecordFormat.CRC_OFFSET) != (int) crc.getValue()) {
            return new Probe(Status.BAD_CHECKSUM, length, 0, 0, 0);
        }
        return new Probe(Status.VALID, length, window.getLong(pos + RecordFormat.TERM_OFFSET),
                window.getLong(pos + RecordFormat.INDEX_OFFSET), window.get(pos + RecordFormat.TYPE_OFFSET));
    }

    /**
     * Looks at every later offset for a record that is intact, which a torn write could not leave behind. Cheap
     * field checks come first so that garbage costs no checksum.
     */
    private long findIntactRecordAfter(long bad) throws IOException {
        long size = window.size();
        for (long q = bad + 1; q + RecordFormat.HEADER_BYTES <= size; q++) {
            int length = window.getInt(q + RecordFormat.LENGTH_OFFSET);
            if (length < 0 || length > size - q - RecordFormat.HEADER_BYTES
                    || window.getLong(q + RecordFormat.TERM_OFFSET) < 1
                    || window.getLong(q + RecordFormat.INDEX_OFFSET) < 1
                    || !knownType(window.get(q + RecordFormat.TYPE_OFFSET))) {
                continue;
            }
            if (probe(q).status() == Status.VALID) {
                return q;
            }
        }
        return -1;
    }

    private static boolean knownType(int code) {
        for (EntryType t : EntryType.values()) {
            if (t.code() == code) {
                return true;
            }
        }
        return false;
    }

    private StorageException corrupt(long offset, String what) {
        return new StorageException("log segment " + file + " is corrupt at offset " + offset + ": " + what
                + "; refusing to open (committed entries are never dropped or repaired by guesswork)");
    }
}
