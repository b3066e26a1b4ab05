/**
 * A TCP {@link dev.keel.raft.spi.Transport} built on Netty, speaking the protobuf schema of the {@code proto} module.
 */
package dev.keel.raft.transport.netty;
