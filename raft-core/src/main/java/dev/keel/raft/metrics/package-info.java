/**
 * Keel's metrics: what a {@link dev.keel.raft.RaftServer} measures and the small SPI it reports through.
 *
 * <p>{@link dev.keel.raft.metrics.KeelMetrics} lists every metric (name, type, unit, tags, meaning);
 * {@link dev.keel.raft.metrics.MetricsRegistry} is what a binding implements to receive them (Keel ships one for
 * Micrometer in {@code raft-metrics-micrometer}). Without a registry nothing is measured:
 * {@link dev.keel.raft.metrics.MetricsRegistry#noop()} is the default. Give one to
 * {@link dev.keel.raft.RaftServer.Builder#metrics(MetricsRegistry)}; the server tags every meter with its id
 * ({@code node}) and hands the registry on to its storage and transport
 * ({@link dev.keel.raft.spi.LogStorage#bindMetrics}, {@link dev.keel.raft.spi.Transport#bindMetrics}).
 */
package dev.keel.raft.metrics;
