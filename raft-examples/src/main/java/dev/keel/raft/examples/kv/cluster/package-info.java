/**
 * The local cluster launcher behind {@code keel-kv cluster}: lays out node directories and configurations under one
 * data folder, runs each node as its own process, and stops them together.
 */
package dev.keel.raft.examples.kv.cluster;
