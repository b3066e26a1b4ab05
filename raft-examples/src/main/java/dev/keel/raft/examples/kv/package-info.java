/**
 * The replicated key-value node: a Redis-protocol server whose state is a Keel replicated state machine.
 */
package dev.keel.raft.examples.kv;
