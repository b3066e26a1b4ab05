/**
 * What the examples share: {@link dev.keel.raft.examples.SuppressForbidden}, the mark of a documented exception to
 * the build's forbidden-API gate. The examples themselves live in the subpackages ({@code kv}: the replicated
 * key-value node and its tools; {@code bench}: the load tool).
 */
package dev.keel.raft.examples;
