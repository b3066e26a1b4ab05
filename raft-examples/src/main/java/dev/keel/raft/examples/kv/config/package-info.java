/**
 * The KV node's configuration: {@code node.toml}, command-line overrides, and the validated
 * {@link dev.keel.raft.examples.kv.config.NodeConfig} built from both, which reports every problem at once.
 */
package dev.keel.raft.examples.kv.config;
