/**
 * Keel's metrics on Micrometer: {@link dev.keel.raft.metrics.micrometer.MicrometerMetrics} binds raft-core's metrics
 * SPI ({@code dev.keel.raft.metrics}) to any Micrometer {@code MeterRegistry}.
 *
 * <p>Micrometer's core has no module descriptor; {@code micrometer.core} is the name its manifest gives it. Both
 * modules are required transitively: the API takes a {@code MeterRegistry} and returns a Keel
 * {@code MetricsRegistry}.
 */
@SuppressWarnings("requires-transitive-automatic")
module dev.keel.raft.metrics.micrometer {
    requires transitive dev.keel.raft;
    requires transitive micrometer.core;

    exports dev.keel.raft.metrics.micrometer;
}
