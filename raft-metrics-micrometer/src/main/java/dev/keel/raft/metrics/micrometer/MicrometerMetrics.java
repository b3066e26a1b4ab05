package dev.keel.raft.metrics.micrometer;

import dev.keel.raft.metrics.Metric;
import dev.keel.raft.metrics.MetricsRegistry;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Binds Keel's metrics to a Micrometer {@link MeterRegistry}:
 * <pre>{@code
 * PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * RaftServer server = RaftServer.builder()
 *         ...
 *         .metrics(MicrometerMetrics.builder(prometheus).percentiles(0.99).build())
 *         .build();
 * }</pre>
 *
 * <p>Counters become {@link io.micrometer.core.instrument.Counter}s, histograms of durations {@link Timer}s, other histograms
 * {@link DistributionSummary}s (base unit {@code bytes} or none), gauges {@link Gauge}s; names and tags are Keel's
 * ({@code keel.commit.latency}, {@code node}, ...), which each registry renders in its own convention (Prometheus:
 * {@code keel_commit_latency_seconds}). Histograms publish percentile-histogram buckets by default, so that a
 * backend can compute any quantile over any window (Prometheus's {@code histogram_quantile}); client-side
 * percentiles, computed here over a sliding window (the KV node shows its fsync p99 from them), are off unless asked
 * for.
 *
 * <p>Thread-safe, like the registry. Immutable once built.
 */
public final class MicrometerMetrics implements MetricsRegistry {
    private final MeterRegistry registry;
    private final boolean percentileHistogram;
    private final double[] percentiles;
    private final Duration statisticExpiry;

    private MicrometerMetrics(Builder b) {
        this.registry = b.registry;
        this.percentileHistogram = b.percentileHistogram;
        this.percentiles = b.percentiles.clone();
        this.statisticExpiry = b.statisticExpiry;
    }

    /** Keel's metrics on {@code registry}, with the defaults (percentile histograms, no client-side percentiles). */
    public static MicrometerMetrics of(MeterRegistry registry) {
        return builder(registry).build();
    }

    /** A builder for a binding to {@code registry}. */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /** The registry the meters go to. */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public MetricsRegistry.Counter counter(Metric metric, Map<String, String> tags) {
        io.micrometer.core.instrument.Counter c = io.micrometer.core.instrument.Counter.builder(metric.name())
                .description(metric.description())
                .baseUnit(baseUnit(metric))
                .tags(tags(tags))
                .register(registry);
        return amount -> c.increment(amount);
    }

    @Override
    public Histogram histogram(Metric metric, Map<String, String> tags) {
        if (metric.unit() == Metric.Unit.NANOSECONDS) {
            Timer.Builder b = Timer.builder(metric.name())
                    .description(metric.description())
                    .tags(tags(tags))
                    .publishPercentileHistogram(percentileHistogram)
                    // Keel's durations run from tens of microseconds (a commit, an fsync) to minutes (a snapshot).
                    .minimumExpectedValue(Duration.ofNanos(10_000))
                    .maximumExpectedValue(Duration.ofMinutes(10))
                    .distributionStatisticExpiry(statisticExpiry);
            if (percentiles.length > 0) {
                b.publishPercentiles(percentiles);
            }
            Timer t = b.register(registry);
            return nanos -> t.record(nanos, TimeUnit.NANOSECONDS);
        }
        boolean bytes = metric.unit() == Metric.Unit.BYTES;
        DistributionSummary.Builder b = DistributionSummary.builder(metric.name())
                .description(metric.description())
                .baseUnit(baseUnit(metric))
                .tags(tags(tags))
                .publishPercentileHistogram(percentileHistogram)
                .minimumExpectedValue(bytes ? 64.0 : 1.0)
                .maximumExpectedValue(bytes ? (double) (1L << 40) : 1_000_000.0)
                .distributionStatisticExpiry(statisticExpiry);
        if (percentiles.length > 0) {
            b.publishPercentiles(percentiles);
        }
        DistributionSummary s = b.register(registry);
        return s::record;
    }

    @Override
    public Registration gauge(Metric metric, Map<String, String> tags, LongSupplier value) {
        // A strong reference: Micrometer holds a gauge's source weakly by default, and Keel keeps no other.
        Gauge g = Gauge.builder(metric.name(), value, v -> v.getAsLong())
                .description(metric.description())
                .baseUnit(baseUnit(metric))
                .tags(tags(tags))
                .strongReference(true)
                .register(registry);
        return () -> registry.remove(g);
    }

    private static String baseUnit(Metric metric) {
        return metric.unit() == Metric.Unit.BYTES ? "bytes" : null;
    }

    private static Tags tags(Map<String, String> tags) {
        List<Tag> list = new ArrayList<>(tags.size());
        tags.forEach((k, v) -> list.add(Tag.of(k, v)));
        return Tags.of(list);
    }

    @Override
    public String toString() {
        return "MicrometerMetrics[" + registry.getClass().getSimpleName() + "]";
    }

    /** Builds a {@link MicrometerMetrics}; each setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private final MeterRegistry registry;
        private boolean percentileHistogram = true;
        private double[] percentiles = new double[0];
        private Duration statisticExpiry = Duration.ofMinutes(1);

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry must not be null");
        }

        /**
         * Whether histograms publish buckets for a backend to compute quantiles from (Prometheus
         * {@code histogram_quantile}); default true. Off saves memory and scrape size where only counts, sums and
         * maxima are wanted.
         */
        public Builder percentileHistogram(boolean value) {
            this.percentileHistogram = value;
            return this;
        }

        /**
         * Quantiles to compute here, over the last {@link #statisticExpiry} (e.g. 0.5, 0.99), for
         * {@code Timer.takeSnapshot()} and for registries that publish them ({@code quantile} tag; Prometheus's does
         * only when {@link #percentileHistogram} is off); default none. Each costs a little on every record.
         *
         * @throws IllegalArgumentException if a value is not in (0, 1]
         */
        public Builder percentiles(double... values) {
            for (double v : values) {
                if (!(v > 0 && v <= 1)) {
                    throw new IllegalArgumentException("percentiles must be in (0, 1], e.g. 0.99; was " + v);
                }
            }
            this.percentiles = values.clone();
            return this;
        }

        /**
         * The window client-side percentiles and maxima cover; default one minute.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder statisticExpiry(Duration value) {
            Objects.requireNonNull(value, "statisticExpiry must not be null");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("statisticExpiry must be positive, was " + value);
            }
            this.statisticExpiry = value;
            return this;
        }

        /** The binding, with the settings given; give it to {@code RaftServer.Builder.metrics}. */
        public MicrometerMetrics build() {
            return new MicrometerMetrics(this);
        }
    }
}
