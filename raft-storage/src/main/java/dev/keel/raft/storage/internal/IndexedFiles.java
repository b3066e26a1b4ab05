package dev.keel.raft.storage.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/** Directory listings shared by the log's segments and the snapshots: files named after a log index. */
final class IndexedFiles {
    private IndexedFiles() {
    }

    /**
     * The files in {@code directory} matching {@code glob} whose name {@code index} parses (a negative index means
     * "not one of ours"), sorted by that index.
     */
    static List<Path> byIndex(Path directory, String glob, ToLongFunction<Path> index) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, glob)) {
            for (Path f : files) {
                if (index.applyAsLong(f) >= 0) {
                    out.add(f);
                }
            }
        }
        out.sort(Comparator.comparingLong(index));
        return out;
    }

    /** The files in {@code directory} matching {@code glob}, in no particular order. */
    static List<Path> matching(Path directory, String glob) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, glob)) {
            files.forEach(out::add);
        }
        return out;
    }
}
