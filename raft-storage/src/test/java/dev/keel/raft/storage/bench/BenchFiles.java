package dev.keel.raft.storage.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where benchmarks put their files: {@code -Dkeel.bench.dir}, default {@code target/bench} (the build's disk). */
final class BenchFiles {
    private BenchFiles() {
    }

    static Path newDirectory(String prefix) throws IOException {
        Path root = Path.of(System.getProperty("keel.bench.dir", "target/bench"));
        Files.createDirectories(root);
        return Files.createTempDirectory(root, prefix);
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
