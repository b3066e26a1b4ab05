package dev.keel.raft.testing;

import dev.keel.raft.metrics.Metric;
import dev.keel.raft.metrics.MetricsRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A {@link MetricsRegistry} that keeps everything in memory for tests to read: counters' totals, every value each
 * histogram recorded, and the gauges registered now. Series are keyed by metric and tags, as a binding would key them.
 * Thread-safe.
 */
public final class RecordingMetrics implements MetricsRegistry {
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> histograms = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

    /** The key of one series: {@code name{k=v,...}} with the tags sorted. */
    public static String key(Metric metric, Map<String, String> tags) {
        return metric.name() + new TreeMap<>(tags);
    }

    @Override
    public Counter counter(Metric metric, Map<String, String> tags) {
        AtomicLong c = counters.computeIfAbsent(key(metric, tags), k -> new AtomicLong());
        return amount -> {
            if (amount < 0) {
                throw new IllegalArgumentException(metric.name() + " went down by " + amount);
            }
            c.addAndGet(amount);
        };
    }

    @Override
    public Histogram histogram(Metric metric, Map<String, String> tags) {
        List<Long> values = histograms.computeIfAbsent(key(metric, tags), k -> new ArrayList<>());
        return value -> {
            if (value < 0) {
                throw new IllegalArgumentException(metric.name() + " recorded " + value);
            }
            synchronized (values) {
                values.add(value);
            }
        };
    }

    @Override
    public Registration gauge(Metric metric, Map<String, String> tags, LongSupplier value) {
        String key = key(metric, tags);
        if (gauges.putIfAbsent(key, value) != null) {
            throw new IllegalStateException("gauge " + key + " registered twice");
        }
        return () -> gauges.remove(key, value);
    }

    /** The total of a counter; 0 if it was never created. */
    public long count(Metric metric, Map<String, String> tags) {
        AtomicLong c = counters.get(key(metric, tags));
        return c == null ? 0 : c.get();
    }

    /** Every value a histogram recorded, in order; empty if it was never created. */
    public List<Long> values(Metric metric, Map<String, String> tags) {
        List<Long> values = histograms.get(key(metric, tags));
        if (values == null) {
            return List.of();
        }
        synchronized (values) {
            return List.copyOf(values);
        }
    }

    /** A gauge's value now, or empty if no such gauge is registered. */
    public OptionalLong gauge(Metric metric, Map<String, String> tags) {
        LongSupplier g = gauges.get(key(metric, tags));
        return g == null ? OptionalLong.empty() : OptionalLong.of(g.getAsLong());
    }

    /** The keys of the gauges registered now. */
    public List<String> gaugeKeys() {
        return gauges.keySet().stream().sorted().toList();
    }

    @Override
    public String toString() {
        return "RecordingMetrics[counters=" + new TreeMap<>(counters) + ", gauges=" + gaugeKeys() + "]";
    }
}
