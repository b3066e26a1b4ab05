/**
 * Internals of the Netty transport: framing and protobuf codec, record/protobuf mapping, the per-connection
 * handlers, per-peer outbound connections and their queues. <b>Not API</b>: anything here may change in any release
 * without notice; use {@link dev.keel.raft.transport.netty.NettyTransport} instead.
 */
package dev.keel.raft.transport.netty.internal;
