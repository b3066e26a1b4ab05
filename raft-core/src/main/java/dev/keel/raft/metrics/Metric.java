package dev.keel.raft.metrics;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The definition of one metric Keel reports: what a binding needs to create a meter for it (name, type, unit, tag
 * keys) and to document it. Every metric is listed in {@link KeelMetrics}.
 *
 * @param name        dot-separated lower-case words, starting with {@code keel.} ({@code keel.commit.latency});
 *                    bindings translate it to their conventions (Prometheus: {@code keel_commit_latency_seconds})
 * @param type        how it is reported
 * @param unit        what its values count
 * @param description one sentence for operators: what it measures and when it moves
 * @param tagKeys     the tags every meter of this metric carries besides {@code node}, in order
 */
public record Metric(String name, Type type, Unit unit, String description, List<String> tagKeys) {
    private static final Pattern NAME = Pattern.compile("keel(\\.[a-z][a-z0-9]*)+");
    private static final Pattern TAG = Pattern.compile("[a-z][a-z0-9_]*");

    /** How a metric is reported. */
    public enum Type {
        /** A count that only grows (events, bytes). */
        COUNTER,
        /** A distribution of recorded values (latencies, sizes), for percentiles and averages. */
        HISTOGRAM,
        /** A value sampled when read (an index, a queue length). */
        GAUGE
    }

    /** What a metric's values count. */
    public enum Unit {
        /** Durations, recorded in nanoseconds. */
        NANOSECONDS,
        /** Sizes in bytes. */
        BYTES,
        /** Log entries, or messages, or frames: a number of things. */
        COUNT,
        /** A log index or a term: a position, not an amount. */
        INDEX
    }

    /**
     * @throws IllegalArgumentException if the name or a tag key is malformed
     */
    public Metric {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(description, "description");
        tagKeys = List.copyOf(tagKeys);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("metric name must be dot-separated lower-case words starting with "
                    + "'keel.', was '" + name + "'");
        }
        for (String key : tagKeys) {
            if (!TAG.matcher(key).matches() || key.equals("node")) {
                throw new IllegalArgumentException("tag key of " + name + " must be a lower-case word other than "
                        + "'node' (which every meter carries), was '" + key + "'");
            }
        }
    }

    static Metric counter(String name, Unit unit, String description, String... tagKeys) {
        return new Metric(name, Type.COUNTER, unit, description, List.of(tagKeys));
    }

    static Metric histogram(String name, Unit unit, String description, String... tagKeys) {
        return new Metric(name, Type.HISTOGRAM, unit, description, List.of(tagKeys));
    }

    static Metric gauge(String name, Unit unit, String description, String... tagKeys) {
        return new Metric(name, Type.GAUGE, unit, description, List.of(tagKeys));
    }
}
