/**
 * The plug-in interfaces through which a {@link dev.keel.raft.RaftServer} reaches the outside world: its durable
 * log ({@link dev.keel.raft.spi.LogStorage}), the network ({@link dev.keel.raft.spi.Transport}) and its threads
 * ({@link dev.keel.raft.spi.RaftScheduler}). {@code raft-storage} and {@code raft-transport-netty} provide
 * production implementations; {@code raft-testkit} provides in-memory ones and contract test suites that every
 * implementation should pass.
 */
package dev.keel.raft.spi;
