/**
 * The deterministic Raft engine: inputs (ticks, messages, proposals, persistence and apply progress) in, a {@code Ready} of work out. No clock, thread, socket or file.
 *
 * <p>Internal: not API. Anything here may change without notice.
 */
package dev.keel.raft.internal.engine;
