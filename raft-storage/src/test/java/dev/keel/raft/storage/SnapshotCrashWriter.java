package dev.keel.raft.storage;

import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotWriter;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The child process of {@link SnapshotCrashTest}; not a test. Opens the snapshot storage in {@code args[0]} and writes
 * snapshots forever at increasing indexes, each of a random size (up to 4 MiB) in random-sized pieces, with
 * {@link TestSnapshots#content} as bytes; now and then it aborts one instead. Prints, flushed at once:
 * <pre>
 * OPEN latest               after open (latest index, 0 if none)
 * W index size              before writing a snapshot (it may be durable after a crash even if not acknowledged)
 * C index size              once commit() returned: the snapshot is durable
 * </pre>
 */
public final class SnapshotCrashWriter {
    private SnapshotCrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        FileSnapshotStorage storage = FileSnapshotStorage.open(SnapshotStorageConfig.builder(dir).build());
        long index = storage.latest().map(SnapshotMetadata::index).orElse(0L);
        out.println("OPEN " + index);
        while (true) {
            index += 1 + random.nextInt(10);
            int size = random.nextInt(8) == 0 ? random.nextInt(100) : random.nextInt(4 << 20);
            byte[] data = TestSnapshots.content(index, size);
            out.println("W " + index + " " + size);
            try (SnapshotWriter w = storage.create(index, index / 10 + 1, TestSnapshots.MEMBERS, 0)) {
                OutputStream stream = w.stream();
                int written = 0;
                while (written < size) {
                    int n = Math.min(size - written, 1 + random.nextInt(300_000));
                    stream.write(data, written, n);
                    written += n;
                }
                if (random.nextInt(6) == 0) {
                    w.abort();
                    continue;
                }
                w.commit();
            }
            out.println("C " + index + " " + size);
        }
    }
}
