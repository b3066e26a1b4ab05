package dev.keel.raft.internal.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A command appended to the leader's log whose submitter waits for its result.
 *
 * @param index  where it was appended
 * @param term   the term it was appended in; a different term at that index when applied means it was replaced
 * @param future the submitter's future
 * @param submittedNanos when {@code submit} was called ({@link System#nanoTime()}), for the commit latency
 */
record PendingProposal(long index, long term, CompletableFuture<byte[]> future, long submittedNanos) {
}
