package dev.keel.raft.storage.bench;

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
import org.openjdk.jmh.annotations.Threads;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * The physical limit the storage is measured against: one thread appending a record-sized buffer (payload plus the
 * storage's 25-byte record header) to a growing file with {@link FileChannel#write(ByteBuffer, long)} and making it
 * durable with {@code force(false)} (fdatasync), the same calls the storage makes, on the same disk.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
public class BareFsyncBenchmark {
    @Param({"128", "1024"})
    public int payloadBytes;

    private Path dir;
    private FileChannel channel;
    private ByteBuffer record;
    private long position;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchFiles.newDirectory("bare");
        channel = FileChannel.open(dir.resolve("bare.log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        record = ByteBuffer.allocateDirect(25 + payloadBytes);
        while (record.hasRemaining()) {
            record.put((byte) record.position());
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
        BenchFiles.deleteRecursively(dir);
    }

    @Benchmark
    @Threads(1)
    public void writeAndForce() throws IOException {
        record.clear();
        while (record.hasRemaining()) {
            position += channel.write(record, position);
        }
        channel.force(false);
    }
}
