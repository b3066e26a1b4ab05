package dev.keel.raft.internal.role;

import dev.keel.raft.Membership;

/**
 * How an administrative request (a membership change or a leadership transfer) ended.
 *
 * @param requestId       the caller's id for the request
 * @param outcome         what happened
 * @param message         what went wrong, for the caller's error; empty on success
 * @param membership      on a successful membership change, the configuration now committed
 * @param membershipIndex the index of that configuration's entry
 */
public record AdminResult(long requestId, Outcome outcome, String message, Membership membership,
                          long membershipIndex) {

    /** The ways an administrative request ends. */
    public enum Outcome {
        /** Done. */
        SUCCESS,
        /** This server is not the leader; nothing was changed. */
        NOT_LEADER,
        /** The configuration is not the one the request was computed from; nothing was changed. */
        CONFLICT,
        /** Another change is in progress, or the leader is not ready; nothing was changed. Retry later. */
        BUSY,
        /** The request is invalid; nothing was changed. */
        INVALID,
        /** It did not finish in time; what was done so far stays (see the message). */
        TIMEOUT,
        /** Leadership was lost midway: the change may or may not complete. */
        INDETERMINATE
    }

    public static AdminResult success(long requestId, Membership membership, long index) {
        return new AdminResult(requestId, Outcome.SUCCESS, "", membership, index);
    }

    public static AdminResult failureOf(long requestId, Outcome outcome, String message) {
        return new AdminResult(requestId, outcome, message, null, 0);
    }
}
