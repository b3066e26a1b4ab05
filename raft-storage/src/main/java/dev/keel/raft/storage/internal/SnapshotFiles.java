package dev.keel.raft.storage.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the files in a snapshot directory. A snapshot is named after its last included index, zero-padded so that
 * names sort like indexes: {@code snapshot-00000000000000000042.snap}. While being written it is
 * {@code snapshot-<index>-<n>.snap.tmp} (unique per writer, so two writers of one index never share a file); a
 * snapshot found unusable at open is renamed to {@code snapshot-<index>.snap.unusable} (or {@code .unusable-<n>}).
 */
public final class SnapshotFiles {
    /** Suffix of snapshots being written; any found at open are leftovers of a crash or an abandoned writer. */
    public static final String TEMP_SUFFIX = ".snap.tmp";
    /** Suffix of snapshots that failed verification at open, moved aside for an operator to inspect. */
    public static final String UNUSABLE_SUFFIX = ".unusable";

    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{20})\\.snap");

    private SnapshotFiles() {
    }

    /** The path of the committed snapshot whose last included index is {@code index}. */
    public static Path snapshotPath(Path directory, long index) {
        return directory.resolve(String.format("snapshot-%020d.snap", index));
    }

    /** The path a writer streams into before the snapshot is committed. */
    public static Path tempPath(Path directory, long index, long writer) {
        return directory.resolve(String.format("snapshot-%020d-%d%s", index, writer, TEMP_SUFFIX));
    }

    /** The index in a committed snapshot's file name, or -1 if the name is not a committed snapshot's. */
    public static long parseIndex(Path file) {
        Matcher m = SNAPSHOT.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The committed snapshots in {@code directory} (by name; not yet verified), in index order. */
    public static List<Path> listSnapshots(Path directory) throws IOException {
        return IndexedFiles.byIndex(directory, "snapshot-*.snap", SnapshotFiles::parseIndex);
    }

    /** Snapshots that were being written when the last storage on this directory stopped. */
    public static List<Path> listTemporaries(Path directory) throws IOException {
        return IndexedFiles.matching(directory, "snapshot-*" + TEMP_SUFFIX);
    }

    /** A name next to {@code file} to move it aside to, not yet taken. */
    public static Path unusablePath(Path file) {
        Path target = file.resolveSibling(file.getFileName() + UNUSABLE_SUFFIX);
        for (int n = 1; Files.exists(target); n++) {
            target = file.resolveSibling(file.getFileName() + UNUSABLE_SUFFIX + "-" + n);
        }
        return target;
    }
}
