package dev.keel.raft.metrics.micrometer.bench;

import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.MetricsRegistry;
import dev.keel.raft.metrics.micrometer.MicrometerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one measurement costs the thread that takes it, with the binding set up as the KV node sets it up
 * (Prometheus registry, percentile histograms, a p99 over one minute) and, as the baseline, with no registry
 * ({@code MetricsRegistry.noop()}, what a server without metrics calls). Keel's hot path takes a few of these per
 * write (submit-to-commit and submit-to-apply on the leader, then per batch: AppendEntries size, fsync time and
 * batch, transport bytes and frames), so this bounds the CPU metrics add per write independently of the machine's
 * load, which swamps a side-by-side keel-bench comparison on a shared machine.
 *
 * <p>Run: see raft-metrics-micrometer/README.md, "Overhead".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RecordBenchmark {
    /**
     * {@code kv-node}: percentile histograms and a p99 over one minute, as the KV node and {@code keel-bench --metrics
     * on} have it; {@code buckets}: percentile histograms only (the binding's default); {@code none}: no registry.
     */
    @Param({"kv-node", "buckets", "none"})
    public String binding;

    private PrometheusMeterRegistry prometheus;
    private MetricsRegistry.Histogram latency;
    private MetricsRegistry.Histogram batch;
    private MetricsRegistry.Counter bytes;
    private long value = 1;

    @Setup
    public void setUp() {
        MetricsRegistry metrics;
        if (binding.equals("kv-node")) {
            prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            metrics = MicrometerMetrics.builder(prometheus).percentiles(0.99).statisticExpiry(Duration.ofMinutes(1))
                    .build();
        } else if (binding.equals("buckets")) {
            prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            metrics = MicrometerMetrics.of(prometheus);
        } else {
            metrics = MetricsRegistry.noop();
        }
        Map<String, String> node = Map.of("node", "n1");
        latency = metrics.histogram(KeelMetrics.COMMIT_LATENCY, node);
        batch = metrics.histogram(KeelMetrics.FSYNC_BATCH, node);
        bytes = metrics.counter(KeelMetrics.TRANSPORT_SENT_BYTES, Map.of("node", "n1", "peer", "n2"));
    }

    @TearDown
    public void tearDown() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    /** A latency (Micrometer Timer): the commit and apply latencies, fsync latency. */
    @Benchmark
    public void recordLatency() {
        // Values spread over the histogram's buckets as real latencies do (10 us to ~10 ms).
        value = (value * 6364136223846793005L + 1442695040888963407L);
        latency.record(10_000 + (value >>> 41));
    }

    /** A size (Micrometer DistributionSummary): fsync and AppendEntries batch sizes. */
    @Benchmark
    public void recordSize() {
        value = (value * 6364136223846793005L + 1442695040888963407L);
        batch.record(1 + (value >>> 58));
    }

    /** A counter (Micrometer Counter): transport bytes and frames, rejections, elections. */
    @Benchmark
    public void addToCounter() {
        bytes.add(180);
    }
}
