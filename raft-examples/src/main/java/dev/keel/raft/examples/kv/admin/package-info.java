/**
 * The KV node's operator surface: its metrics ({@link dev.keel.raft.examples.kv.admin.KvMetrics}: Keel's, the
 * node's requests and the JVM's, on a Prometheus registry) and the HTTP admin port that serves them with the health
 * endpoints ({@link dev.keel.raft.examples.kv.admin.AdminServer}: {@code /metrics}, {@code /livez},
 * {@code /readyz}).
 */
package dev.keel.raft.examples.kv.admin;
