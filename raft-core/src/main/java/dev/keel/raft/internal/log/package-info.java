/**
 * The in-memory view of the replicated log: the entries not yet durable, the durable and commit indexes, the snapshot
 * the log starts after, and which configuration is in effect. Used by the engine and by every role; depends on
 * neither.
 *
 * <p>Internal: not API. Anything here may change without notice.
 */
package dev.keel.raft.internal.log;
