package dev.keel.raft.message;

import dev.keel.raft.NodeId;

import java.util.Arrays;
import java.util.Objects;

/**
 * The leader's answer to a {@link ForwardRequest}: the outcome, typed, so that the follower fails its caller's
 * future with the same exception the leader's own caller would have seen.
 *
 * @param from      the leader (or whoever the follower took for it)
 * @param to        the follower
 * @param term      the answering server's term
 * @param requestId the id from the request
 * @param outcome   what happened
 * @param index     for {@link Outcome#OK}: the log index the request was applied at (0 for a leadership transfer)
 * @param result    for {@link Outcome#OK}: the state machine's result for a command, the new configuration in
 *                  {@code Membership}'s binary form for a membership change; otherwise empty
 * @param leader    for {@link Outcome#NOT_LEADER}: the leader the answering server knows of, or {@code null}
 * @param detail    a human-readable explanation of a failure, for the exception's message; may be empty
 */
public record ForwardResponse(NodeId from, NodeId to, long term, long requestId, Outcome outcome, long index,
                              byte[] result, NodeId leader, String detail) implements RaftMessage {

    /**
     * What became of a forwarded request. Each failure says whether the request may have taken effect, as the
     * exception it stands for does.
     */
    public enum Outcome {
        /** Applied; {@code result} holds its result. */
        OK,
        /** The answering server does not lead in the request's term; nothing was done. */
        NOT_LEADER,
        /** Too many requests pending; nothing was done. */
        BUSY,
        /** The request reached the log, but the leader lost track of it: it may or may not take effect. */
        INDETERMINATE,
        /** The answering server is stopping; nothing was done. */
        STOPPED,
        /** A membership change computed from a configuration that has changed since; nothing was done. */
        CONFLICT,
        /** An administrative request that makes no sense for this cluster; nothing was done. */
        INVALID,
        /** An administrative request that did not finish in time (see {@code ClusterChangeException}). */
        TIMEOUT,
        /** The sender is not a member of the leader's configuration; nothing was done. */
        NOT_A_MEMBER,
        /** A request of a kind the leader does not know; nothing was done. */
        UNSUPPORTED,
        /** The session has expired (or was closed, or never opened); nothing was done now. */
        SESSION_EXPIRED,
        /** Opening a session failed: as many sessions are open as the leader allows. */
        SESSION_LIMIT,
        /** A sequence number the session can never accept (acknowledged, abandoned or malformed); nothing was done. */
        SESSION_SEQUENCE,
        /** An earlier command of the session has not been applied yet; nothing was done (retry after it). */
        SESSION_OUT_OF_ORDER,
        /** The session keeps as many unacknowledged results as it may; nothing was done (retry after earlier ones). */
        SESSION_FULL
    }

    public ForwardResponse {
        Messages.requireHeader(from, to, term);
        Objects.requireNonNull(outcome, "outcome");
        Messages.requireNonNegative("index", index);
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ForwardResponse r && from.equals(r.from) && to.equals(r.to) && term == r.term
                && requestId == r.requestId && outcome == r.outcome && index == r.index
                && Arrays.equals(result, r.result) && Objects.equals(leader, r.leader) && detail.equals(r.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, to, term, requestId, outcome, index, leader, detail) * 31 + Arrays.hashCode(result);
    }

    @Override
    public String toString() {
        return "ForwardResponse[" + from + "->" + to + " term=" + term + " id=" + requestId + " " + outcome
                + (outcome == Outcome.OK ? " at " + index + " " + result.length + "B" : " " + detail) + "]";
    }
}
