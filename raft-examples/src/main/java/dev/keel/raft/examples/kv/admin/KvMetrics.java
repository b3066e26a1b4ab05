package dev.keel.raft.examples.kv.admin;

import dev.keel.raft.NodeId;
import dev.keel.raft.examples.kv.resp.RequestStats;
import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.Metric;
import dev.keel.raft.metrics.MetricsRegistry;
import dev.keel.raft.metrics.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One node's metrics on one Prometheus registry: Keel's (through {@link MicrometerMetrics}, with a p99 kept over the
 * last minute for INFO and the status view), the node's requests ({@link RequestStats}) and the JVM's (memory, GC,
 * threads, CPU, uptime).
 *
 * <p>Thread-safe. {@link #close()} releases the GC listener.
 */
public final class KvMetrics implements AutoCloseable {
    /** The window of the p99 figures INFO shows. */
    public static final Duration WINDOW = Duration.ofMinutes(1);

    private final NodeId node;
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerMetrics keel;
    private final RequestStats requests = new RequestStats();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public KvMetrics(NodeId node) {
        this.node = node;
        // Every series names its node, the JVM's and the node's own too, as Keel's do.
        prometheus.config().commonTags("node", node.value());
        this.keel = MicrometerMetrics.builder(prometheus).percentiles(0.99).statisticExpiry(WINDOW).build();
        requests.bindTo(prometheus);
        new JvmMemoryMetrics().bindTo(prometheus);
        gc.bindTo(prometheus);
        new JvmThreadMetrics().bindTo(prometheus);
        new ClassLoaderMetrics().bindTo(prometheus);
        new ProcessorMetrics().bindTo(prometheus);
        new UptimeMetrics().bindTo(prometheus);
    }

    /** Where the Raft server reports (give it to {@code RaftServer.Builder.metrics}). */
    public MetricsRegistry raft() {
        return keel;
    }

    /** The node's request counts. */
    public RequestStats requests() {
        return requests;
    }

    /** Everything, in Prometheus's text format (version 0.0.4). */
    public String scrape() {
        return prometheus.scrape();
    }

    /**
     * The 99th percentile of one of this node's Keel timers over the last {@link #WINDOW}, in ms; NaN if nothing was
     * recorded in that window.
     */
    public double p99Millis(Metric metric) {
        Timer t = prometheus.find(metric.name()).tag("node", node.value()).timer();
        if (t == null) {
            return Double.NaN;
        }
        for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
            if (v.percentile() == 0.99) {
                // Zero when nothing was recorded within the window (an idle log is never forced).
                return v.value() == 0 ? Double.NaN : v.value(TimeUnit.NANOSECONDS) / 1e6;
            }
        }
        return Double.NaN;
    }

    /** The log's fsync p99 in ms over the last minute (NaN before the first fsync). */
    public double fsyncP99Millis() {
        return p99Millis(KeelMetrics.FSYNC_LATENCY);
    }

    /** Submit-to-commit p99 in ms over the last minute, on the leader (NaN elsewhere). */
    public double commitP99Millis() {
        return p99Millis(KeelMetrics.COMMIT_LATENCY);
    }

    @Override
    public void close() {
        gc.close();
        prometheus.close();
    }
}
