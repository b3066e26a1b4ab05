package dev.keel.raft.metrics;

import java.util.Map;
import java.util.function.LongSupplier;

/** The registry that measures nothing. */
final class NoopMetrics implements MetricsRegistry {
    static final NoopMetrics REGISTRY = new NoopMetrics();
    static final Counter COUNTER = amount -> { };
    static final Histogram HISTOGRAM = value -> { };
    static final Registration REGISTRATION = () -> { };

    private NoopMetrics() {
    }

    @Override
    public Counter counter(Metric metric, Map<String, String> tags) {
        return COUNTER;
    }

    @Override
    public Histogram histogram(Metric metric, Map<String, String> tags) {
        return HISTOGRAM;
    }

    @Override
    public Registration gauge(Metric metric, Map<String, String> tags, LongSupplier value) {
        return REGISTRATION;
    }

    @Override
    public String toString() {
        return "MetricsRegistry.noop()";
    }
}
