package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.LogEntry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The caller thread's view of one segment file: its base index and the file offset of every record, in a primitive
 * array. The layout is decided here, when an entry is appended, so the caller thread knows where each entry will
 * be before the I/O thread has written it. Not thread-safe; reads go through a read-only channel opened on first
 * use.
 */
public final class Segment {
    private final long baseIndex;
    private final Path path;
    private final IntArray offsets;
    private int endPosition;
    private FileChannel readChannel;

    Segment(long baseIndex, Path path, IntArray offsets, int endPosition) {
        this.baseIndex = baseIndex;
        this.path = path;
        this.offsets = offsets;
        this.endPosition = endPosition;
    }

    /** A segment holding no record yet. */
    public static Segment empty(long baseIndex, Path path) {
        return new Segment(baseIndex, path, new IntArray(1024), SegmentHeader.BYTES);
    }

    public long baseIndex() {
        return baseIndex;
    }

    public Path path() {
        return path;
    }

    /** Index of the last record, or {@code baseIndex() - 1} if none. */
    public long lastIndex() {
        return baseIndex + offsets.size() - 1;
    }

    public int entryCount() {
        return offsets.size();
    }

    /** Offset one past the last record: where the next one goes. */
    public int endPosition() {
        return endPosition;
    }

    /** File offset of the record for {@code index}, or {@link #endPosition()} for {@code lastIndex() + 1}. */
    public int offsetOf(long index) {
        long i = index - baseIndex;
        return i == offsets.size() ? endPosition : offsets.get((int) i);
    }

    /** Records that the next entry takes {@code recordSize} bytes at {@link #endPosition()}. */
    public void append(int recordSize) {
        offsets.add(endPosition);
        endPosition += recordSize;
    }

    /** Forgets records from {@code index} on. */
    public void truncateFrom(long index) {
        if (index > lastIndex()) {
            return;
        }
        int keep = (int) Math.max(0, index - baseIndex);
        endPosition = keep == offsets.size() ? endPosition : offsets.get(keep);
        offsets.truncate(keep);
    }

    /**
     * Reads and verifies entries {@code from .. toExclusive-1}, all of which the I/O thread has written.
     */
    public void read(ChannelFactory channels, long from, long toExclusive, CRC32C crc, List<LogEntry> out) {
        try {
            if (readChannel == null) {
                readChannel = channels.open(path, StandardOpenOption.READ);
            }
        } catch (IOException e) {
            throw new StorageException("cannot read " + path + ": " + e, e);
        }
        readRecords(readChannel, path, from, offsetsOf(from, toExclusive), crc, out);
    }

    /**
     * The file offsets of the records {@code from .. toExclusive-1} followed by the offset just past the last: a copy
     * that stays valid (for {@link #readRecords}) whatever happens to this segment afterwards.
     */
    public int[] offsetsOf(long from, long toExclusive) {
        int[] out = new int[(int) (toExclusive - from) + 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = offsetOf(from + i);
        }
        return out;
    }

    /**
     * Reads and verifies the records at {@code offsets} (as given by {@link #offsetsOf}), the first of which holds
     * entry {@code from}, from {@code channel} (the file at {@code path}) with one read call.
     */
    public static void readRecords(FileChannel channel, Path path, long from, int[] offsets, CRC32C crc,
                                   List<LogEntry> out) {
        int start = offsets[0];
        ByteBuffer buf = ByteBuffer.allocate(offsets[offsets.length - 1] - start);
        try {
            FileIo.readFully(channel, buf, start);
        } catch (IOException e) {
            throw new StorageException("cannot read " + path + " at offset " + start + ": " + e, e);
        }
        buf.flip();
        for (int i = 0; i + 1 < offsets.length; i++) {
            ByteBuffer record = buf.duplicate().position(offsets[i] - start).limit(offsets[i + 1] - start);
            out.add(RecordFormat.decode(record, from + i, crc, path + " offset " + offsets[i]));
        }
    }

    /** Closes the read channel, if open; the segment may be read again later (it reopens). */
    public void closeReader() {
        if (readChannel != null) {
            try {
                readChannel.close();
            } catch (IOException ignored) {
                // A read-only channel has nothing to lose on close.
            }
            readChannel = null;
        }
    }
}
