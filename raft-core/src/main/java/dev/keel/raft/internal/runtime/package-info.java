/**
 * What drives the engine for {@code RaftServer}: threads, storage and transport calls, futures. Each threading
 * question has one owner: {@code EventLoop} (what runs where, the bounded inbox, the
 * fatal path), {@code ReadyExecutor} (the order a Ready is carried out in),
 * {@code RequestRegistry} (what waits for an answer), {@code StatusPublisher} (what other threads see).
 *
 * <p>Internal: not API. Anything here may change without notice.
 */
package dev.keel.raft.internal.runtime;
