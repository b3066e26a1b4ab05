/**
 * The KV node's client side: RESP2 over Netty. Netty's {@code RedisDecoder} parses the bytes;
 * {@link dev.keel.raft.examples.kv.resp.CommandAggregator} turns its messages into whole commands (bounding argument
 * sizes), {@link dev.keel.raft.examples.kv.resp.CommandTable} runs them and
 * {@link dev.keel.raft.examples.kv.resp.ConnectionHandler} writes the replies back in request order.
 */
package dev.keel.raft.examples.kv.resp;
