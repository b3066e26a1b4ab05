package dev.keel.raft.examples.bench;

/** Whether an in-process benchmark run reports Keel's metrics ({@code --metrics}). */
enum MetricsMode {
    /** {@code MetricsRegistry.noop()}: nothing measured. */
    OFF,
    /** Micrometer's Prometheus registry, as the KV node uses it, scraped every 15 s. */
    ON
}
