package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.ForwardResponse.Outcome;

import java.util.Objects;

/**
 * What became of one attempt at a client request, whether this server ran it or forwarded it: the one currency
 * between the runtime's parts, turned into a result or an exception only at the public API ({@link Outcomes}).
 *
 * @param outcome what happened
 * @param index   for {@link Outcome#OK}, the log index the request was applied at
 * @param result  for {@link Outcome#OK}, its result; otherwise empty
 * @param leader  for {@link Outcome#NOT_LEADER}, the leader known to the server that said so, or {@code null}
 * @param detail  why it failed, for the exception's message
 */
record Reply(Outcome outcome, long index, byte[] result, NodeId leader, String detail) {
    private static final byte[] EMPTY = new byte[0];

    Reply {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(detail, "detail");
    }

    static Reply ok(long index, byte[] result) {
        return new Reply(Outcome.OK, index, result, null, "");
    }

    static Reply failed(Outcome outcome, String detail) {
        return new Reply(outcome, 0, EMPTY, null, detail);
    }

    static Reply notLeader(NodeId leader, String detail) {
        return new Reply(Outcome.NOT_LEADER, 0, EMPTY, leader, detail);
    }

    boolean isOk() {
        return outcome == Outcome.OK;
    }

    /** Whether the request may have taken effect although this attempt did not report success. */
    boolean mayHaveApplied() {
        return outcome == Outcome.INDETERMINATE || outcome == Outcome.TIMEOUT;
    }
}
