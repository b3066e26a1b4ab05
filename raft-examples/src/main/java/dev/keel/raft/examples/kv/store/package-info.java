/**
 * The KV node's in-memory data: a persistent (immutable, structurally shared) hash map, so that a snapshot of the
 * whole state is one reference and can be written out on another thread while commands keep being applied.
 */
package dev.keel.raft.examples.kv.store;
