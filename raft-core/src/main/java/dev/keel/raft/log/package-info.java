/**
 * Values stored in the replicated log and its durable metadata: {@link dev.keel.raft.log.LogEntry} and
 * {@link dev.keel.raft.log.HardState}.
 */
package dev.keel.raft.log;
