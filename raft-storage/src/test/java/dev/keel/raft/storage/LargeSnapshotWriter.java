package dev.keel.raft.storage;

import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotWriter;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The child process of {@link LargeSnapshotTest}; not a test. Run with a heap far smaller than the snapshot, it
 * writes {@code args[1]} bytes of {@link #chunk generated content} through a {@link FileSnapshotStorage} writer in
 * {@code args[0]}, commits, reads the snapshot back in full, and prints:
 * <pre>
 * COMMITTED size checksum millis
 * READ checksum millis
 * PEAK_HEAP bytes           the largest heap use seen (sum of the heap pools' peaks)
 * </pre>
 */
public final class LargeSnapshotWriter {
    static final int CHUNK_BYTES = 64 * 1024;

    private LargeSnapshotWriter() {
    }

    /** Chunk {@code n} of the content: cheap to generate, different in every chunk. */
    static void chunk(long n, byte[] into) {
        long x = n * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < into.length; i += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int k = 0; k < 8; k++) {
                into[i + k] = (byte) (x >>> (8 * k));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        try (FileSnapshotStorage storage = FileSnapshotStorage.open(SnapshotStorageConfig.builder(dir).build())) {
            long start = System.nanoTime();
            byte[] buf = new byte[CHUNK_BYTES];
            SnapshotMetadata meta;
            try (SnapshotWriter w = storage.create(1_000_000, 7, TestSnapshots.MEMBERS, 0)) {
                OutputStream out = w.stream();
                for (long n = 0; n * CHUNK_BYTES < size; n++) {
                    chunk(n, buf);
                    out.write(buf, 0, (int) Math.min(CHUNK_BYTES, size - n * CHUNK_BYTES));
                }
                meta = w.commit();
            }
            System.out.println("COMMITTED " + meta.size() + " " + meta.checksum() + " "
                    + (System.nanoTime() - start) / 1_000_000);
            start = System.nanoTime();
            CRC32C crc = new CRC32C();
            try (InputStream in = storage.open(meta, 0)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    crc.update(buf, 0, n);
                }
            }
            System.out.println("READ " + crc.getValue() + " " + (System.nanoTime() - start) / 1_000_000);
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("PEAK_HEAP " + peak);
    }
}
