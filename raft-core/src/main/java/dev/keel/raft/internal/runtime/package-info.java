/**
 * The event loop that drives the engine for {@code RaftServer}: threads, storage and transport calls, futures.
 *
 * <p>Internal: not API. Anything here may change without notice.
 */
package dev.keel.raft.internal.runtime;
