package dev.keel.raft.storage.internal;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.HardState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Brings a log directory to a consistent state at open and rebuilds the in-memory index. In order: delete
 * temporary files (writes a crash interrupted before their rename), read the hard state, finish an interrupted
 * suffix truncation or reset, then verify every segment: headers, checksums, consecutive indexes within and across
 * segments. A torn tail of the last segment is cut (WARN); anything else wrong refuses the open.
 */
public final class LogRecovery {
    private static final Logger log = LoggerFactory.getLogger(LogRecovery.class);

    /** What recovery found: the segments in order (the last one active), their terms, the hard state. */
    public record RecoveredLog(List<Segment> segments, TermIndex terms, HardState hardState) {
    }

    private LogRecovery() {
    }

    /**
     * Recovers {@code directory}, which the caller has locked.
     *
     * @throws StorageException naming file, offset and problem when the log is corrupt
     */
    public static RecoveredLog recover(Path directory, ChannelFactory channels) throws IOException {
        for (Path tmp : SegmentFiles.listTemporaries(directory)) {
            log.info("Deleting {}, a write that a crash interrupted before it took effect", tmp);
            Files.delete(tmp);
        }
        HardState hardState = HardStateFile.read(directory);
        List<Path> files = SegmentFiles.listSegments(directory);
        Optional<TruncationIntent.Intent> intent = TruncationIntent.read(directory);
        if (intent.isPresent()) {
            long index = intent.get().index();
            files = switch (intent.get().kind()) {
                case TRUNCATE_SUFFIX -> finishTruncation(directory, channels, files, index);
                case RESET -> finishReset(directory, channels, files, index);
            };
        }
        if (files.isEmpty()) {
            if (Files.exists(directory.resolve(SegmentFiles.HARD_STATE))) {
                throw new StorageException("log directory " + directory + " has a hard state but no segment "
                        + "files: the log was deleted or lost; refusing to start with an empty log");
            }
            Path first = SegmentFiles.createSegmentDurably(channels, directory, 1);
            return new RecoveredLog(new ArrayList<>(List.of(Segment.empty(1, first))), new TermIndex(1), hardState);
        }
        TermIndex terms = new TermIndex(SegmentFiles.parseBaseIndex(files.get(0)));
        List<Segment> segments = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long base = SegmentFiles.parseBaseIndex(file);
            if (i > 0) {
                long expected = segments.get(i - 1).lastIndex() + 1;
                if (base != expected) {
                    throw new StorageException("log segment " + file + " is corrupt at offset 0: it starts at index "
                            + base + " but the previous segment " + files.get(i - 1) + " ends at index "
                            + (expected - 1) + " (a " + (base > expected ? "gap" : "overlap")
                            + " in the log); refusing to open");
                }
            }
            Segment segment = SegmentScanner.scan(channels, file, base, i == files.size() - 1, terms);
            if (segment != null) {
                segments.add(segment);
            } else {
                Files.delete(file);
                if (segments.isEmpty()) {
                    // It was the only segment: keep its base index, which records where the log starts.
                    Path fresh = SegmentFiles.createSegmentDurably(channels, directory, base);
                    segments.add(Segment.empty(base, fresh));
                } else {
                    FileIo.fsyncDirectory(channels, directory);
                }
            }
        }
        return new RecoveredLog(segments, terms, hardState);
    }

    /**
     * Completes a truncation that a crash interrupted: the intent is durable, so the new (shorter) log is the one
     * to keep, whatever part of the cut had already reached the disk.
     */
    private static List<Path> finishTruncation(Path directory, ChannelFactory channels, List<Path> files,
                                               long fromIndex) throws IOException {
        log.warn("Finishing a suffix truncation from index {} in {} that a crash interrupted", fromIndex, directory);
        int keep = files.size() - 1;
        while (keep >= 0 && SegmentFiles.parseBaseIndex(files.get(keep)) > fromIndex) {
            keep--;
        }
        if (keep < 0 && !files.isEmpty()) {
            throw new StorageException("truncation intent in " + directory + " removes entries from index "
                    + fromIndex + ", below the first segment " + files.get(0) + "; refusing to open");
        }
        for (int i = files.size() - 1; i > keep; i--) {
            Files.delete(files.get(i));
        }
        List<Path> kept = new ArrayList<>(files.subList(0, keep + 1));
        if (!kept.isEmpty()) {
            Path last = kept.get(keep);
            long base = SegmentFiles.parseBaseIndex(last);
            long cut = SegmentScanner.offsetOf(channels, last, base, fromIndex);
            if (cut >= 0) {
                try (FileChannel ch = channels.open(last, StandardOpenOption.WRITE)) {
                    if (ch.size() > cut) {
                        ch.truncate(cut);
                    }
                    ch.force(true);
                }
            }
        }
        FileIo.fsyncDirectory(channels, directory);
        TruncationIntent.clear(channels, directory, true);
        return kept;
    }

    /**
     * Completes a reset that a crash interrupted: the intent is durable, so the empty log continuing at
     * {@code nextIndex} is the one to keep. Whatever segments remain are the old log's (or the new empty segment,
     * perhaps torn): nothing was appended after the reset before its intent was removed, so all of them go and the
     * empty segment is created again.
     */
    private static List<Path> finishReset(Path directory, ChannelFactory channels, List<Path> files, long nextIndex)
            throws IOException {
        log.warn("Finishing a reset of the log in {} to continue at index {} that a crash interrupted: deleting {} "
                + "segment files", directory, nextIndex, files.size());
        for (int i = files.size() - 1; i >= 0; i--) {
            Files.delete(files.get(i));
        }
        Path fresh = SegmentFiles.createSegmentDurably(channels, directory, nextIndex);
        TruncationIntent.clear(channels, directory, true);
        return List.of(fresh);
    }
}
