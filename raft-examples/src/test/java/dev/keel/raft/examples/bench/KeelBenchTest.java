package dev.keel.raft.examples.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class KeelBenchTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine cli() {
        CommandLine cmd = KeelBench.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd;
    }

    private KeelBench parsed(String... args) {
        CommandLine cmd = cli();
        cmd.parseArgs(args);
        return cmd.getCommand();
    }

    @Test
    void defaultsAreTheIssuesSetup() {
        KeelBench b = parsed();
        assertThat(b.writers).containsExactly(1, 16, 128);
        assertThat(b.mode).isEqualTo(LoadRunner.Mode.WRITE);
        assertThat(b.payload).isEqualTo(128);
        assertThat(b.nodes).isEqualTo(3);
        assertThat(b.warmup).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.duration).isEqualTo(Duration.ofSeconds(20));
        assertThat(b.processes).isFalse();
        assertThat(b.metrics).isEqualTo(MetricsMode.OFF);
    }

    @Test
    void optionsAreParsedCaseInsensitivelyWithShortDurations() {
        KeelBench b = parsed("-w", "4,32", "--mode", "MIXED", "--warmup", "500ms", "-d", "2m", "--processes",
                "--via", "follower");
        assertThat(b.writers).containsExactly(4, 32);
        assertThat(b.mode).isEqualTo(LoadRunner.Mode.MIXED);
        assertThat(b.warmup).isEqualTo(Duration.ofMillis(500));
        assertThat(b.duration).isEqualTo(Duration.ofMinutes(2));
        assertThat(b.via).isEqualTo(ProcessTarget.Via.FOLLOWER);
        assertThat(parsed("--duration", "PT3S").duration).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void helpListsTheOptionsAndExitsZero() {
        assertThat(cli().execute("--help")).isZero();
        assertThat(out.toString()).contains("--writers", "--mode", "--warmup", "--duration", "--payload",
                "--processes", "--via", "--dir");
    }

    @Test
    void badArgumentsAreRejectedWithAMessageSayingWhatToFix() {
        assertRejected("Unknown options: '--writerz'", "--writerz", "1");
        assertRejected("each value must be between 1 and 4096, was 0", "--writers", "0");
        assertRejected("'abc'", "--writers", "abc");
        assertRejected("expected one of [WRITE, READ, MIXED]", "--mode", "scan");
        assertRejected("'10 seconds' is not a duration; write e.g. 500ms", "--duration", "10 seconds");
        assertRejected("--duration must be positive", "--duration", "0s");
        assertRejected("--payload must be between 1 and", "--payload", "0");
        assertRejected("--nodes must be between 1 and 9", "--nodes", "10");
        assertRejected("--via applies to --processes only", "--via", "follower");
        assertRejected("--metrics applies to in-process runs", "--processes", "--metrics", "on");
        assertRejected("expected one of [OFF, ON]", "--metrics", "yes");
        assertRejected("ranges overlap", "--processes", "--client-port", "7000", "--raft-port", "7001");
    }

    @Test
    void aBadArgumentPointsToHelp() {
        assertThat(cli().execute("--writers", "5000")).isEqualTo(2);
        assertThat(err.toString()).contains("each value must be between 1 and 4096, was 5000")
                .contains("Run keel-bench --help for the options.").doesNotContain("Usage:");
    }

    private void assertRejected(String message, String... args) {
        StringWriter e = new StringWriter();
        CommandLine cmd = KeelBench.commandLine();
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        cmd.setErr(new PrintWriter(e, true));
        assertThat(cmd.execute(args)).as(String.join(" ", args)).isEqualTo(2);
        assertThat(e.toString()).as(String.join(" ", args)).contains(message);
    }

    @Test
    void aShortInProcessRunReportsEveryFigure(@TempDir Path dir) {
        CommandLine cmd = cli();
        int status = cmd.execute("--writers", "2", "--mode", "mixed", "--warmup", "300ms", "--duration", "1s",
                "--dir", dir.toString());

        assertThat(status).as(err.toString()).isZero();
        List<Report> reports = ((KeelBench) cmd.getCommand()).reports();
        assertThat(reports).hasSize(1);
        Report r = reports.get(0);
        assertThat(r.mode()).isEqualTo(LoadRunner.Mode.MIXED);
        assertThat(r.writers()).isEqualTo(2);
        assertThat(r.operations()).isPositive();
        assertThat(r.seconds()).isGreaterThanOrEqualTo(1.0);
        assertThat(r.p50Micros()).isPositive().isLessThanOrEqualTo(r.p99Micros());
        assertThat(r.p99Micros()).isLessThanOrEqualTo(r.p999Micros());
        assertThat(r.cpuMicrosPerOp()).isPositive();
        assertThat(r.allocPerOp()).isPositive();
        assertThat(r.leaderAllocPerOp()).isPositive().isLessThanOrEqualTo(r.allocPerOp());
        assertThat(r.gcPauses()).isNotNegative();
        assertThat(r.maxGcPauseMillis()).isNotNegative();
        assertThat(out.toString()).contains(Report.HEADER).contains(r.row());
        assertThat(dir.toFile().list()).as("the run's files are deleted without --keep-data").isEmpty();
        assertThat(out.toString()).contains("; metrics off)");
    }

    @Test
    void withMetricsOnTheLeaderTimesEveryCommitIntoPrometheus(@TempDir Path dir) {
        CommandLine cmd = cli();
        int status = cmd.execute("--writers", "2", "--warmup", "300ms", "--duration", "1s", "--metrics", "on",
                "--dir", dir.toString());

        assertThat(status).as(err.toString()).isZero();
        Report r = ((KeelBench) cmd.getCommand()).reports().get(0);
        assertThat(out.toString()).contains("nodes in this JVM, metrics on");
        Matcher m = Pattern.compile("metrics on: (\\d+) commits timed, (\\d+) latencies and sizes "
                + "recorded, (\\d+) Prometheus series").matcher(out.toString());
        assertThat(m.find()).as(out.toString()).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("warm-up and measured writes, all timed")
                .isGreaterThanOrEqualTo(r.operations());
        assertThat(Long.parseLong(m.group(2))).as("commit and apply latencies at least")
                .isGreaterThanOrEqualTo(2 * Long.parseLong(m.group(1)));
        assertThat(Long.parseLong(m.group(3))).isGreaterThan(100);
    }

    @Test
    void aShortRunAgainstKvNodeProcessesReportsWhatItCanMeasure(@TempDir Path dir) throws IOException {
        int clientPort = freePortRange(6);
        CommandLine cmd = cli();
        int status = cmd.execute("--processes", "--writers", "2", "--mode", "mixed", "--warmup", "300ms",
                "--duration", "1s", "--dir", dir.toString(), "--client-port", String.valueOf(clientPort), "--raft-port", String.valueOf(clientPort + 3),
                "--node-jvm-options", "-Xmx128m -XX:TieredStopAtLevel=1");

        assertThat(status).as(err.toString()).isZero();
        Report r = ((KeelBench) cmd.getCommand()).reports().get(0);
        assertThat(r.operations()).isPositive();
        assertThat(r.errors()).isZero();
        assertThat(r.p50Micros()).isPositive();
        assertThat(r.cpuMicrosPerOp()).as("the node processes' CPU").isPositive();
        // Allocation and GC happen in the nodes' JVMs, which this mode cannot see into.
        assertThat(r.allocPerOp()).isEqualTo(-1);
        assertThat(r.gcPauses()).isEqualTo(-1);
        assertThat(r.row()).contains("| mixed | 2 |").contains("| n/a | n/a | n/a | n/a |");
    }

    /** The first of {@code count} consecutive ports that are free now (other tests may run on this machine). */
    private static int freePortRange(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0)) {
                base = s.getLocalPort();
            }
            if (base + count <= 65535 && allFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found");
    }

    private static boolean allFree(int base, int count) {
        for (int p = base; p < base + count; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
