package dev.keel.raft.examples.bench;

import dev.keel.raft.examples.kv.cli.DurationConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code keel-bench}: closed-loop load on a 3-node cluster with the file log fsynced before every acknowledgement:
 * W threads each submitting a command (or a linearizable read) and waiting for its result before the next. By default
 * the cluster runs in this JVM (real {@code RaftServer}s, {@code FileLogStorage}, {@code NettyTransport} over
 * loopback, defaults); with {@code --processes} it is three KV node processes driven over RESP. Prints ops/s, latency
 * percentiles (HdrHistogram), CPU and allocation per operation and GC pauses, one Markdown row per W.
 */
@Command(name = "keel-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Closed-loop benchmark of a durable 3-node Keel cluster: W threads, one operation in flight "
                + "each; prints ops/s, p50/p99/p99.9, CPU and allocation per operation and GC pauses.")
public final class KeelBench implements Callable<Integer> {
    static final int MAX_WRITERS = 4096;
    static final int MAX_PAYLOAD = 1 << 20;
    static final Duration MAX_DURATION = Duration.ofHours(1);
    private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

    @Spec
    CommandSpec spec;

    @Option(names = {"-w", "--writers"}, split = ",", paramLabel = "W",
            description = "closed-loop threads, one run per value (default ${DEFAULT-VALUE})",
            defaultValue = "1,16,128")
    List<Integer> writers;
    @Option(names = {"-m", "--mode"}, paramLabel = "MODE",
            description = "write, read (linearizable) or mixed (half the threads each) (default ${DEFAULT-VALUE})",
            defaultValue = "write")
    LoadRunner.Mode mode;
    @Option(names = "--warmup", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "load before measuring, discarded, e.g. 5s, 500ms, PT1M (default ${DEFAULT-VALUE})",
            defaultValue = "5s")
    Duration warmup;
    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "measured window per run (default ${DEFAULT-VALUE})", defaultValue = "20s")
    Duration duration;
    @Option(names = "--payload", paramLabel = "BYTES",
            description = "command (and SET value) size in bytes (default ${DEFAULT-VALUE})", defaultValue = "128")
    int payload;
    @Option(names = "--nodes", description = "cluster size (default ${DEFAULT-VALUE})", defaultValue = "3")
    int nodes;
    @Option(names = "--dir", paramLabel = "PATH",
            description = "folder for the nodes' data (default: a new temporary folder)")
    Path dir;
    @Option(names = "--keep-data",
            description = "keep each run's log and snapshot files (by default they are deleted after the run)")
    boolean keepData;
    @Option(names = "--metrics", paramLabel = "off|on",
            description = "in-process: report Keel's metrics to Micrometer's Prometheus registry (percentile histograms "
                    + "and a p99, as the KV node does), scraped every 15 s; off measures nothing "
                    + "(default ${DEFAULT-VALUE})", defaultValue = "off")
    MetricsMode metrics;
    @Option(names = "--processes",
            description = "run the KV nodes as separate processes (keel-kv run) and load them over RESP")
    boolean processes;
    @Option(names = "--via", paramLabel = "NODE",
            description = "with --processes: send the load to the leader or to a follower (default ${DEFAULT-VALUE})",
            defaultValue = "leader")
    ProcessTarget.Via via;
    @Option(names = "--client-port", description = "with --processes: first RESP port (default ${DEFAULT-VALUE})",
            defaultValue = "6501")
    int clientPort;
    @Option(names = "--raft-port", description = "with --processes: first Raft port (default ${DEFAULT-VALUE})",
            defaultValue = "7501")
    int raftPort;
    @Option(names = "--node-jvm-options", paramLabel = "OPTIONS",
            description = "with --processes: the nodes' JVM options, space-separated (default ${DEFAULT-VALUE})",
            defaultValue = "-Xmx1g -XX:+UseZGC")
    String nodeJvmOptions;

    private final List<Report> reports = new ArrayList<>();

    /** Runs the command line and exits with its status (0, or 2 for bad arguments, 1 for a failed run). */
    public static void main(String[] args) {
        // The nodes' INFO lines (elections, connections) would bury the table; warnings still show.
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(LOG_LEVEL_PROPERTY, "warn");
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new KeelBench()).setCaseInsensitiveEnumValuesAllowed(true);
        // A bad argument gets its message and a pointer to --help, not the whole usage text.
        cmd.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("keel-bench: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Run keel-bench --help for the options.");
            return ex.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        });
        return cmd;
    }

    /** The reports of the runs so far, in order. */
    List<Report> reports() {
        return List.copyOf(reports);
    }

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        Path base = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("keel-bench");
        out.printf(Locale.ROOT, "keel-bench: %s, %s, payload %d B, warm-up %s, measure %s, data in %s; %d cores, %s %s%n",
                mode.name().toLowerCase(Locale.ROOT), processes ? nodes + " KV node processes via the "
                        + via.name().toLowerCase(Locale.ROOT) : nodes + " nodes in this JVM, metrics "
                        + metrics.name().toLowerCase(Locale.ROOT), payload,
                human(warmup), human(duration), base, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        out.flush();
        if (processes) {
            // One cluster for all W values: node start-up takes seconds, and each thread has its own key.
            Path runDir = base.resolve("kv-" + System.nanoTime());
            try (BenchTarget target = new ProcessTarget(nodes, runDir, payload, via, clientPort, raftPort,
                    Arrays.asList(nodeJvmOptions.trim().split("\\s+")), Duration.ofSeconds(60), System.err)) {
                out.println(target.describe());
                out.println(Report.HEADER);
                for (int w : writers) {
                    record(out, new LoadRunner(target).run(mode, w, warmup, duration));
                }
            } finally {
                cleanUp(runDir);
            }
        } else {
            out.println(Report.HEADER);
            for (int w : writers) {
                // A fresh cluster per W, so that one run's log and garbage do not weigh on the next.
                Path runDir = Files.createDirectories(base.resolve("w" + w + "-" + System.nanoTime()));
                try (BenchTarget target = new InProcessTarget(nodes, runDir, payload, metrics)) {
                    record(out, new LoadRunner(target).run(mode, w, warmup, duration));
                    if (w == writers.get(writers.size() - 1)) {
                        out.println("(" + target.describe() + ")");
                    }
                } finally {
                    cleanUp(runDir);
                }
            }
        }
        out.flush();
        return 0;
    }

    /** Deletes a run's files unless --keep-data: a run of W=128 writes hundreds of MB of log. */
    private void cleanUp(Path runDir) throws IOException {
        if (keepData || !Files.exists(runDir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(runDir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private void record(PrintWriter out, Report r) {
        reports.add(r);
        out.println(r.row());
        out.flush();
    }

    private void validate() {
        for (int w : writers) {
            if (w < 1 || w > MAX_WRITERS) {
                throw bad("--writers: each value must be between 1 and " + MAX_WRITERS + ", was " + w);
            }
        }
        if (payload < 1 || payload > MAX_PAYLOAD) {
            throw bad("--payload must be between 1 and " + MAX_PAYLOAD + " bytes, was " + payload);
        }
        if (nodes < 1 || nodes > 9) {
            throw bad("--nodes must be between 1 and 9, was " + nodes);
        }
        if (duration.isZero() || duration.isNegative() || duration.compareTo(MAX_DURATION) > 0) {
            throw bad("--duration must be positive and at most 1h, was " + duration);
        }
        if (warmup.isNegative() || warmup.compareTo(MAX_DURATION) > 0) {
            throw bad("--warmup must be between 0 and 1h, was " + warmup);
        }
        if (processes && metrics == MetricsMode.ON) {
            throw bad("--metrics applies to in-process runs: the KV node processes always report metrics");
        }
        if (!processes && via != ProcessTarget.Via.LEADER) {
            throw bad("--via applies to --processes only: in-process load always goes to the leader's RaftServer");
        }
        if (via == ProcessTarget.Via.FOLLOWER && nodes < 2) {
            throw bad("--via follower needs --nodes 2 or more");
        }
        for (int[] p : new int[][] {{clientPort, 'c'}, {raftPort, 'r'}}) {
            if (p[0] < 1 || p[0] + nodes - 1 > 65535) {
                throw bad((p[1] == 'c' ? "--client-port" : "--raft-port") + " must leave room for " + nodes
                        + " ports between 1 and 65535, was " + p[0]);
            }
        }
        if (processes && Math.abs(clientPort - raftPort) < nodes) {
            throw bad("--client-port " + clientPort + " and --raft-port " + raftPort + " ranges overlap for "
                    + nodes + " nodes");
        }
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
