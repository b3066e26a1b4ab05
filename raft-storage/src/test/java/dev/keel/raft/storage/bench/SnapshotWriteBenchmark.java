package dev.keel.raft.storage.bench;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotWriter;
import dev.keel.raft.storage.FileSnapshotStorage;
import dev.keel.raft.storage.SnapshotStorageConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Snapshot write throughput: {@code snapshotStorage} writes {@code megabytes} MiB through a
 * {@link FileSnapshotStorage} writer in {@code writeBytes} pieces (as a state machine's stream would) and commits
 * (checksum, trailer, force, rename, directory force, retention); {@code plainFileCopy} writes the same bytes in the
 * same pieces to a new file with {@link FileChannel#write} and forces it, on the same disk. One op is one whole
 * snapshot, so MB/s = megabytes / (seconds per op). The bytes come from a 16 MiB random buffer in memory, so neither
 * side reads a disk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SnapshotWriteBenchmark {
    private static final int SOURCE_BYTES = 16 << 20;

    @Param({"256"})
    public int megabytes;

    @Param({"65536"})
    public int writeBytes;

    private Path dir;
    private FileSnapshotStorage storage;
    private byte[] source;
    private long nextIndex = 1;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchFiles.newDirectory("snapshot");
        storage = FileSnapshotStorage.open(SnapshotStorageConfig.builder(dir.resolve("snapshots"))
                .retainedSnapshots(1).build());
        source = new byte[SOURCE_BYTES];
        new SplittableRandom(42).nextBytes(source);
    }

    /** The plain copy's previous file goes, so each iteration writes a new file as the storage does. */
    @Setup(Level.Iteration)
    public void removePlainFile() throws IOException {
        Files.deleteIfExists(dir.resolve("plain.bin"));
    }

    @TearDown(Level.Trial)
    public void close() {
        storage.close();
        BenchFiles.deleteRecursively(dir);
    }

    /** The next piece: {@code writeBytes}, unless the source buffer or the snapshot ends first. */
    private int piece(int offset, long left) {
        return (int) Math.min(Math.min(writeBytes, SOURCE_BYTES - offset), left);
    }

    @Benchmark
    public SnapshotMetadata snapshotStorage() throws IOException {
        try (SnapshotWriter w = storage.create(nextIndex++, 1, dev.keel.raft.Membership.ofVoters(java.util.List.of(dev.keel.raft.Member.of(NodeId.of("n1")))), 0)) {
            OutputStream out = w.stream();
            long total = (long) megabytes << 20;
            long written = 0;
            while (written < total) {
                int offset = (int) (written % SOURCE_BYTES);
                int n = piece(offset, total - written);
                out.write(source, offset, n);
                written += n;
            }
            return w.commit();
        }
    }

    @Benchmark
    public long plainFileCopy() throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("plain.bin"), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            long total = (long) megabytes << 20;
            long written = 0;
            while (written < total) {
                int offset = (int) (written % SOURCE_BYTES);
                ByteBuffer chunk = ByteBuffer.wrap(source, offset, piece(offset, total - written));
                while (chunk.hasRemaining()) {
                    written += ch.write(chunk);
                }
            }
            ch.force(true);
            return written;
        }
    }
}
