/**
 * Keel's metrics on Micrometer: {@link dev.keel.raft.metrics.micrometer.MicrometerMetrics} turns every metric of
 * {@link dev.keel.raft.metrics.KeelMetrics} into a Micrometer meter on the {@code MeterRegistry} you give it, so
 * they reach whatever that registry exports to (Prometheus, OTLP, JMX, ...).
 */
package dev.keel.raft.metrics.micrometer;
