package dev.keel.raft.internal.runtime;

import java.util.function.Consumer;

/**
 * A command appended to the leader's log whose requester waits for the outcome.
 *
 * @param index where it was appended
 * @param term  the term it was appended in; a different term at that index when applied means it was replaced
 * @param done  told the outcome, on the applier thread (or the event loop when leadership is lost first)
 */
record PendingProposal(long index, long term, Consumer<Reply> done) {
}
