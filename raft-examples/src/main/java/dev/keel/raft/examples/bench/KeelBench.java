package dev.keel.raft.examples.bench;

import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code keel-bench}: a 3-node cluster in this JVM (file log with fsync, Netty over loopback, defaults) under
 * closed-loop load: W threads each submitting a 128-byte command and waiting for it to be committed and applied on
 * the leader. Prints ops/s, latency percentiles, CPU and allocation per operation, and GC pauses.
 *
 * <pre>
 *   keel-bench [--writers 1,16,128] [--mode write|read|mixed] [--warmup 5s] [--duration 20s] [--payload 128]
 *              [--dir PATH]
 * </pre>
 */
public final class KeelBench {
    private KeelBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> writers = List.of(1, 16, 128);
        LoadRunner.Mode mode = LoadRunner.Mode.WRITE;
        Duration warmup = Duration.ofSeconds(5);
        Duration duration = Duration.ofSeconds(20);
        int payload = 128;
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--writers" -> writers = Arrays.stream(v.split(",")).map(Integer::parseInt).toList();
                case "--mode" -> mode = LoadRunner.Mode.valueOf(v.toUpperCase(Locale.ROOT));
                case "--warmup" -> warmup = parseDuration(v);
                case "--duration" -> duration = parseDuration(v);
                case "--payload" -> payload = Integer.parseInt(v);
                case "--dir" -> dir = Path.of(v);
                case "--help", "-h" -> {
                    System.out.println("usage: keel-bench [--writers 1,16,128] [--mode write|read|mixed] "
                            + "[--warmup 5s] [--duration 20s] [--payload 128] [--dir PATH]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + a + "; try --help");
            }
            i++;
        }
        Path base = dir != null ? dir : Files.createTempDirectory("keel-bench");
        System.out.printf("keel-bench: %s, payload %d B, warm-up %s, measure %s, data in %s; %d cores, %s%n",
                mode, payload, warmup, duration, base, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.println("| W | ops/s | p50 ms | p99 ms | p99.9 ms | errors | CPU us/op | alloc B/op (all) "
                + "| alloc B/op (leader) | GC pauses | max GC pause ms |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        List<String> rows = new ArrayList<>();
        for (int w : writers) {
            Path runDir = Files.createDirectories(base.resolve("w" + w + "-" + System.nanoTime()));
            try (BenchCluster cluster = new BenchCluster(3, runDir, RaftConfig.defaults())) {
                RaftServer leader = cluster.leader(Duration.ofSeconds(30));
                LoadRunner runner = new LoadRunner(() -> cluster.leader(Duration.ofSeconds(30)), payload);
                LoadRunner.Result r = runner.run(mode, w, warmup, duration, leader.id().value());
                String row = String.format(Locale.ROOT, "| %d | %,.0f | %.2f | %.2f | %.2f | %d | %.1f | %,d | %,d | %d | %d |",
                        w, r.opsPerSecond(), r.latencyMicros().getValueAtPercentile(50) / 1000.0,
                        r.latencyMicros().getValueAtPercentile(99) / 1000.0,
                        r.latencyMicros().getValueAtPercentile(99.9) / 1000.0, r.errors(),
                        r.cpuNanos() / 1000.0 / Math.max(1, r.operations()),
                        r.allocatedBytes() / Math.max(1, r.operations()),
                        r.allocatedBytesOnLeader() / Math.max(1, r.operations()), r.gcPauses(), r.maxGcPauseMillis());
                System.out.println(row);
                rows.add(row);
            }
        }
        System.out.println("(leader threads: " + String.join(", ", JvmMeters.describe("<leader>")) + ")");
    }

    private static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        return Duration.parse(v);
    }
}
