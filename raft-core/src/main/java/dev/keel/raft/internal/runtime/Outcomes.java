package dev.keel.raft.internal.runtime;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.exception.ClusterChangeException;
import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.RaftException;
import dev.keel.raft.exception.RequestRejectedException;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.exception.SessionException;
import dev.keel.raft.message.ForwardResponse.Outcome;

/**
 * Translates between typed outcomes (which travel between servers) and the exceptions of the public API, in one place,
 * so that a follower's caller sees exactly what the leader's own caller would have. Never by matching message text.
 */
final class Outcomes {
    private Outcomes() {
    }

    /**
     * The exception a failed reply stands for.
     *
     * @param self       this server, which reports the failure
     * @param membership the configuration this server knows, to give the leader's address; may be {@code null}
     */
    static RaftException toException(Reply r, NodeId self, Membership membership) {
        String detail = r.detail();
        return switch (r.outcome()) {
            case NOT_LEADER -> new NotLeaderException(self, member(membership, r.leader()));
            case BUSY -> new ServerBusyException(detail);
            case INDETERMINATE -> new IndeterminateOutcomeException(detail);
            case STOPPED -> new ServerStoppedException(detail);
            case CONFLICT -> new ClusterChangeException(ClusterChangeException.Reason.CONFLICT, detail);
            case INVALID -> new ClusterChangeException(ClusterChangeException.Reason.INVALID, detail);
            case TIMEOUT -> new ClusterChangeException(ClusterChangeException.Reason.TIMEOUT, detail);
            case NOT_A_MEMBER -> new RequestRejectedException(RequestRejectedException.Reason.NOT_A_MEMBER, detail);
            case UNSUPPORTED -> new RequestRejectedException(RequestRejectedException.Reason.UNSUPPORTED, detail);
            case SESSION_EXPIRED -> new SessionException(SessionException.Reason.EXPIRED, detail);
            case SESSION_LIMIT -> new SessionException(SessionException.Reason.TOO_MANY_SESSIONS, detail);
            case SESSION_SEQUENCE, SESSION_OUT_OF_ORDER, SESSION_FULL ->
                    new SessionException(SessionException.Reason.BAD_SEQUENCE, detail);
            case OK -> throw new IllegalArgumentException("a successful reply is not an exception");
        };
    }

    /** The leader as a member, with the address the configuration holds for it; {@code null} if unknown. */
    static Member member(Membership membership, NodeId leader) {
        if (leader == null) {
            return null;
        }
        return membership == null ? Member.of(leader) : membership.member(leader).orElse(Member.of(leader));
    }

    /** The outcome an exception from this server's own operations stands for, to report to a forwarding follower. */
    static Reply fromException(Throwable t) {
        String detail = String.valueOf(t.getMessage());
        if (t instanceof NotLeaderException e) {
            return Reply.notLeader(e.leader().orElse(null), detail);
        } else if (t instanceof ServerBusyException) {
            return Reply.failed(Outcome.BUSY, detail);
        } else if (t instanceof IndeterminateOutcomeException) {
            return Reply.failed(Outcome.INDETERMINATE, detail);
        } else if (t instanceof ServerStoppedException) {
            // The leader is going away: for the follower's caller, no leader is known.
            return Reply.notLeader(null, detail);
        } else if (t instanceof ClusterChangeException e) {
            return Reply.failed(switch (e.reason()) {
                case CONFLICT -> Outcome.CONFLICT;
                case INVALID -> Outcome.INVALID;
                case TIMEOUT -> Outcome.TIMEOUT;
            }, detail);
        } else if (t instanceof SessionException e) {
            return Reply.failed(switch (e.reason()) {
                case EXPIRED -> Outcome.SESSION_EXPIRED;
                case TOO_MANY_SESSIONS -> Outcome.SESSION_LIMIT;
                case BAD_SEQUENCE -> Outcome.SESSION_SEQUENCE;
            }, detail);
        } else if (t instanceof RequestRejectedException e) {
            return Reply.failed(e.reason() == RequestRejectedException.Reason.NOT_A_MEMBER ? Outcome.NOT_A_MEMBER
                    : Outcome.UNSUPPORTED, detail);
        }
        // Anything else escaped from this server's own machinery after the request was accepted.
        return Reply.failed(Outcome.INDETERMINATE, t.getClass().getSimpleName() + ": " + detail);
    }
}
