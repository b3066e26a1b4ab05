package dev.keel.raft.examples.bench;

import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.MetricsRegistry;
import dev.keel.raft.metrics.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The metrics of a benchmark cluster, set up as the KV node sets up its own (Micrometer's Prometheus registry,
 * percentile histograms, a p99 over one minute) and scraped every 15 seconds as a Prometheus server would, so that
 * {@code --metrics on} costs what metrics cost in production.
 */
final class BenchMetrics implements AutoCloseable {
    private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(15);

    private final MetricsRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final ScheduledExecutorService scraper;

    BenchMetrics(MetricsMode mode) {
        if (mode == MetricsMode.OFF) {
            registry = MetricsRegistry.noop();
            prometheus = null;
            scraper = null;
            return;
        }
        prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry = MicrometerMetrics.builder(prometheus).percentiles(0.99).statisticExpiry(Duration.ofMinutes(1))
                .build();
        scraper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-metrics-scrape");
            t.setDaemon(true);
            return t;
        });
        scraper.scheduleAtFixedRate(prometheus::scrape, SCRAPE_INTERVAL.toMillis(), SCRAPE_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    MetricsRegistry registry() {
        return registry;
    }

    /**
     * What was measured, for the run's description: "metrics off", or the commits the leaders timed, the latencies
     * and sizes recorded in all and the series a scrape now returns, which shows that the metrics really were on.
     */
    String describe() {
        if (prometheus == null) {
            return "metrics off";
        }
        long commits = prometheus.find(KeelMetrics.COMMIT_LATENCY.name()).timers().stream()
                .mapToLong(Timer::count).sum();
        // Every latency and size recorded, on every node: what the metrics cost is proportional to.
        long samples = prometheus.getMeters().stream().mapToLong(m -> m instanceof Timer t ? t.count()
                : m instanceof DistributionSummary d ? d.count() : 0).sum();
        long series = prometheus.scrape().lines().filter(l -> !l.startsWith("#")).count();
        return "metrics on: " + commits + " commits timed, " + samples + " latencies and sizes recorded, " + series
                + " Prometheus series";
    }

    @Override
    public void close() {
        if (scraper != null) {
            scraper.shutdownNow();
            prometheus.close();
        }
    }
}
