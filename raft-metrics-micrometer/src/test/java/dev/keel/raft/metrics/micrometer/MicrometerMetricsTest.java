package dev.keel.raft.metrics.micrometer;

import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.MetricsRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keel's metrics appear on a Prometheus scrape under the names the README and the dashboard use. */
class MicrometerMetricsTest {
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void countersHistogramsAndGaugesAreScrapedWithPrometheusNamesUnitsAndTags() {
        MetricsRegistry metrics = MicrometerMetrics.of(prometheus);
        Map<String, String> n1 = Map.of("node", "n1");
        metrics.counter(KeelMetrics.ELECTIONS_WON, n1).increment();
        metrics.counter(KeelMetrics.TRANSPORT_SENT_BYTES, Map.of("node", "n1", "peer", "n2")).add(4096);
        MetricsRegistry.Histogram commit = metrics.histogram(KeelMetrics.COMMIT_LATENCY, n1);
        commit.record(2_000_000);
        commit.record(4_000_000);
        metrics.histogram(KeelMetrics.SNAPSHOT_SIZE, n1).record(1 << 20);
        metrics.histogram(KeelMetrics.FSYNC_BATCH, n1).record(12);
        AtomicLong commitIndex = new AtomicLong(42);
        MetricsRegistry.Registration gauge = metrics.gauge(KeelMetrics.COMMIT_INDEX, n1, commitIndex::get);

        String scrape = prometheus.scrape();
        assertThat(scrape).contains("keel_elections_won_total{node=\"n1\"} 1")
                .contains("keel_transport_sent_bytes_total{node=\"n1\",peer=\"n2\"} 4096")
                .contains("keel_commit_latency_seconds_count{node=\"n1\"} 2")
                .contains("keel_commit_latency_seconds_sum{node=\"n1\"} 0.006")
                .contains("keel_commit_latency_seconds_bucket{node=\"n1\",le=\"")
                .contains("keel_snapshot_size_bytes_count{node=\"n1\"} 1")
                .contains("keel_log_fsync_batch_sum{node=\"n1\"} 12")
                .contains("keel_commit_index{node=\"n1\"} 42")
                .contains("# HELP keel_commit_index " + KeelMetrics.COMMIT_INDEX.description());

        commitIndex.set(43);
        assertThat(prometheus.scrape()).contains("keel_commit_index{node=\"n1\"} 43");
        gauge.close();
        assertThat(prometheus.scrape()).doesNotContain("keel_commit_index");
    }

    @Test
    void percentilesAskedForArePublishedAsQuantilesOverTheWindow() {
        MetricsRegistry metrics = MicrometerMetrics.builder(prometheus).percentiles(0.99)
                .percentileHistogram(false).build();
        MetricsRegistry.Histogram fsync = metrics.histogram(KeelMetrics.FSYNC_LATENCY, Map.of("node", "n1"));
        for (int i = 1; i <= 100; i++) {
            fsync.record(i * 100_000L);
        }
        String scrape = prometheus.scrape();
        assertThat(scrape).contains("keel_log_fsync_latency_seconds{node=\"n1\",quantile=\"0.99\"}")
                .doesNotContain("keel_log_fsync_latency_seconds_bucket");
        double p99 = prometheus.get("keel.log.fsync.latency").timer().takeSnapshot().percentileValues()[0]
                .value(java.util.concurrent.TimeUnit.MILLISECONDS);
        assertThat(p99).isBetween(9.0, 10.5);
    }

    @Test
    void theBuilderRefusesPercentilesOutsideZeroToOne() {
        assertThatThrownBy(() -> MicrometerMetrics.builder(prometheus).percentiles(99))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0, 1]");
    }
}
