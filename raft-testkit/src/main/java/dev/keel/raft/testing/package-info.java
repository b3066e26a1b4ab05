/**
 * Test support shipped in {@code raft-testkit}: in-memory storage and network, a manual clock, the contract suites
 * every {@link dev.keel.raft.spi.LogStorage} and {@link dev.keel.raft.spi.Transport} implementation extends, and the
 * deterministic cluster simulator.
 */
package dev.keel.raft.testing;
