package dev.keel.raft.internal.runtime;

import java.util.function.Consumer;

/**
 * A command appended to the leader's log whose requester waits for the outcome.
 *
 * @param index          where it was appended
 * @param term           the term it was appended in; a different term at that index when applied means it was replaced
 * @param done           told the outcome, on the applier thread (or the event loop when leadership is lost first)
 * @param submittedNanos when the request arrived ({@link System#nanoTime()}), for the commit and apply latencies
 */
record PendingProposal(long index, long term, Consumer<Reply> done, long submittedNanos) {
}
