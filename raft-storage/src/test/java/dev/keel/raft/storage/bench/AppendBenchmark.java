package dev.keel.raft.storage.bench;

import dev.keel.raft.log.LogEntry;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.FsyncPolicy;
import dev.keel.raft.storage.StorageConfig;
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
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Durable appends of one entry each, fsync on ({@link FsyncPolicy#ALWAYS} unless overridden), with one writer and with 16 writers
 * that each wait for their own append to be durable before the next, as 16 concurrent proposals would. One op is one
 * entry, so throughput is entries per second. Index assignment is serialized, as the Raft event loop serializes it.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.SECONDS)
public class AppendBenchmark {
    @Param({"128", "1024"})
    public int payloadBytes;

    /** {@code ALWAYS} for the real numbers; {@code -p fsync=NEVER} isolates the storage's own overhead. */
    @Param({"ALWAYS"})
    public FsyncPolicy fsync;

    private Path dir;
    private FileLogStorage storage;
    private byte[] payload;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchFiles.newDirectory("append");
        storage = FileLogStorage.open(StorageConfig.builder(dir).fsyncPolicy(fsync).build());
        payload = new byte[payloadBytes];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        storage.close();
        BenchFiles.deleteRecursively(dir);
    }

    private void appendOne() {
        CompletableFuture<Void> durable;
        synchronized (this) {
            durable = storage.append(List.of(LogEntry.command(storage.lastIndex() + 1, 1, payload)));
        }
        durable.join();
    }

    @Benchmark
    @Threads(1)
    public void oneWriter() {
        appendOne();
    }

    @Benchmark
    @Threads(16)
    public void sixteenWriters() {
        appendOne();
    }
}
