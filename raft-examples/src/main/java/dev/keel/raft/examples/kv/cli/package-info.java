/**
 * The {@code keel-kv} command line (picocli): {@code run} starts one node from {@code node.toml} and flags;
 * {@code cluster} starts a local cluster of node processes for trying Keel out.
 */
package dev.keel.raft.examples.kv.cli;
