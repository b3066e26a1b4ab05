package dev.keel.raft.storage.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the files in a log directory. A segment is named after the index of its first entry, zero-padded so that
 * names sort like indexes: {@code segment-00000000000000000001.log}.
 */
public final class SegmentFiles {
    /** Suffix of files being written before an atomic rename; any found at open are leftovers of a crash. */
    public static final String TEMP_SUFFIX = ".tmp";
    /** The hard state (term, vote). */
    public static final String HARD_STATE = "hardstate";
    /** Present only while a suffix truncation is in progress; see {@link TruncationIntent}. */
    public static final String TRUNCATION_INTENT = "truncation-intent";
    /** Held with a {@link java.nio.channels.FileLock} while a storage has the directory open. */
    public static final String LOCK = "LOCK";

    private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{20})\\.log");

    private SegmentFiles() {
    }

    /** The path of the segment whose first entry is {@code baseIndex}. */
    public static Path segmentPath(Path directory, long baseIndex) {
        return directory.resolve(segmentName(baseIndex));
    }

    /** The file name of the segment whose first entry is {@code baseIndex}: 20 zero-padded digits. */
    static String segmentName(long baseIndex) {
        if (baseIndex < 0) {
            throw new IllegalArgumentException("internal error: negative segment base index " + baseIndex);
        }
        String digits = Long.toString(baseIndex);
        StringBuilder name = new StringBuilder(32).append("segment-");
        for (int i = digits.length(); i < 20; i++) {
            name.append('0');
        }
        return name.append(digits).append(".log").toString();
    }

    /** The base index encoded in a segment file name, or -1 if the name is not a segment's. */
    public static long parseBaseIndex(Path file) {
        Matcher m = SEGMENT.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Creates the segment file whose first entry is {@code baseIndex} and writes its header, without forcing: the
     * caller forces the file and then the directory before it acknowledges anything written to it. A crash before
     * that may leave the file with no header or a zero-filled one, which recovery recognises as a torn creation of
     * the last segment (nothing in it was ever acknowledged).
     *
     * @return a channel open for writing, positioned nowhere (writes are positional)
     */
    public static FileChannel createSegment(ChannelFactory channels, Path directory, long baseIndex)
            throws IOException {
        FileChannel ch = channels.open(segmentPath(directory, baseIndex), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        try {
            FileIo.writeFully(ch, new SegmentHeader(baseIndex).encode(), 0);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** {@link #createSegment} followed by forcing the file and the directory. */
    public static Path createSegmentDurably(ChannelFactory channels, Path directory, long baseIndex)
            throws IOException {
        try (FileChannel ch = createSegment(channels, directory, baseIndex)) {
            ch.force(true);
        }
        FileIo.fsyncDirectory(channels, directory);
        return segmentPath(directory, baseIndex);
    }

    /** The segment files in {@code directory}, sorted by base index. */
    public static List<Path> listSegments(Path directory) throws IOException {
        return IndexedFiles.byIndex(directory, "*", SegmentFiles::parseBaseIndex);
    }

    /** Leftover temporary files in {@code directory}. */
    public static List<Path> listTemporaries(Path directory) throws IOException {
        return IndexedFiles.matching(directory, "*" + TEMP_SUFFIX);
    }
}
