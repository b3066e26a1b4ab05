package dev.keel.raft.metrics;

import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Where Keel reports its metrics: a binding to a metrics library implements this (see {@code raft-metrics-micrometer});
 * Keel creates its meters through it once, when a server is built or a peer appears, and then only updates them.
 *
 * <h2>Contract for implementations</h2>
 * <ul>
 *   <li>Thread-safe: meters are created and updated from Keel's event loop, applier, storage and transport threads.</li>
 *   <li>{@link Counter#add} and {@link Histogram#record} run on the hot path (per commit, per fsync, per frame): they
 *   must not block, allocate little, and never throw.</li>
 *   <li>Asking twice for the same metric and tags returns a meter that updates the same series.</li>
 *   <li>A gauge's supplier is called by the library, on its thread, whenever it reads the value; it is cheap and
 *   thread-safe. {@link Registration#close()} removes the gauge (a follower that left, a server that closed).</li>
 * </ul>
 * The tags passed always have exactly the keys {@link Metric#tagKeys()} names, plus {@code node} (the server's id).
 */
public interface MetricsRegistry {

    /** A counter for {@code metric} (of type {@link Metric.Type#COUNTER}) with these tags. */
    Counter counter(Metric metric, Map<String, String> tags);

    /** A histogram for {@code metric} (of type {@link Metric.Type#HISTOGRAM}) with these tags. */
    Histogram histogram(Metric metric, Map<String, String> tags);

    /**
     * Registers a gauge for {@code metric} (of type {@link Metric.Type#GAUGE}) whose value {@code value} supplies.
     *
     * @return a handle that removes the gauge when closed
     */
    Registration gauge(Metric metric, Map<String, String> tags, LongSupplier value);

    /** A registry that measures nothing: the default. Its meters cost a virtual call each. */
    static MetricsRegistry noop() {
        return NoopMetrics.REGISTRY;
    }

    /** A count that only grows. */
    @FunctionalInterface
    interface Counter {
        /** Adds {@code amount} (at least 0). */
        void add(long amount);

        /** Adds one. */
        default void increment() {
            add(1);
        }
    }

    /** A distribution of values: latencies in nanoseconds, sizes in bytes or counts, per {@link Metric#unit()}. */
    @FunctionalInterface
    interface Histogram {
        /** Records one value (at least 0). */
        void record(long value);
    }

    /** A registered gauge; closing it removes the gauge. Idempotent. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
