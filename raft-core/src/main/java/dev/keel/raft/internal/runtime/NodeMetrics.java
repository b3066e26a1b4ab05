package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.metrics.Metric;
import dev.keel.raft.metrics.MetricsRegistry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The registry one server reports through: the application's, with every meter tagged {@code node=<id>}, so that
 * servers sharing a registry (several in one JVM) keep their series apart. Checks that each meter is asked for with
 * the type and tags its {@link Metric} declares, so that a binding can rely on them.
 */
public final class NodeMetrics implements MetricsRegistry {
    private final MetricsRegistry delegate;
    private final String node;

    public NodeMetrics(NodeId node, MetricsRegistry delegate) {
        this.node = node.value();
        this.delegate = Objects.requireNonNull(delegate, "metrics");
    }

    /** Whether meters are really recorded (not the no-op registry). */
    public boolean enabled() {
        return delegate != MetricsRegistry.noop();
    }

    @Override
    public Counter counter(Metric metric, Map<String, String> tags) {
        return delegate.counter(check(metric, Metric.Type.COUNTER), tagged(metric, tags));
    }

    @Override
    public Histogram histogram(Metric metric, Map<String, String> tags) {
        return delegate.histogram(check(metric, Metric.Type.HISTOGRAM), tagged(metric, tags));
    }

    @Override
    public Registration gauge(Metric metric, Map<String, String> tags, LongSupplier value) {
        return delegate.gauge(check(metric, Metric.Type.GAUGE), tagged(metric, tags), value);
    }

    private static Metric check(Metric metric, Metric.Type type) {
        if (metric.type() != type) {
            throw new IllegalArgumentException(metric.name() + " is a " + metric.type() + ", not a " + type);
        }
        return metric;
    }

    private Map<String, String> tagged(Metric metric, Map<String, String> tags) {
        if (!tags.keySet().equals(new java.util.HashSet<>(metric.tagKeys()))) {
            throw new IllegalArgumentException(metric.name() + " takes the tags " + metric.tagKeys() + ", was given "
                    + tags.keySet());
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put("node", node);
        for (String key : metric.tagKeys()) {
            all.put(key, tags.get(key));
        }
        return all;
    }

    @Override
    public String toString() {
        return delegate + " (node=" + node + ")";
    }
}
