/**
 * Who may use the KV node's client port: users and their passwords ({@link dev.keel.raft.examples.kv.security.Users}),
 * and the TLS settings of the client port and the Raft transport as read from {@code node.toml}.
 */
package dev.keel.raft.examples.kv.security;
