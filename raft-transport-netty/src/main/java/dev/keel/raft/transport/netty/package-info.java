/**
 * A TCP {@link dev.keel.raft.spi.Transport} for Keel built on Netty, with a protobuf wire format
 * ({@code keel.raft.v1}, module {@code keel-proto}).
 *
 * <p>The API is {@link dev.keel.raft.transport.netty.NettyTransport}, configured by an immutable
 * {@link dev.keel.raft.transport.netty.NettyTransportConfig} (optionally with
 * {@link dev.keel.raft.transport.netty.TlsConfig} for mutual TLS), and its counters
 * {@link dev.keel.raft.transport.netty.TransportStats}. Everything under {@code .internal} is not API.
 */
package dev.keel.raft.transport.netty;
