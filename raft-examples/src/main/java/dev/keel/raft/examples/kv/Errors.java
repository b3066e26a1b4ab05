package dev.keel.raft.examples.kv;

import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.RequestRejectedException;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.exception.SessionException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The error replies a client sees when Raft could not serve a command, by what the client should do about it:
 * {@code -TRYAGAIN} (nothing happened: retry, here or on another node) and {@code -INDETERMINATE} (the request timeout
 * passed while a write may have been applied: check before retrying a non-idempotent write). Chosen by the exception's
 * type, never its text.
 */
public final class Errors {
    /** No leader was found within the bounded wait. */
    public static final byte[] NO_LEADER = Replies.error("TRYAGAIN no leader");

    private Errors() {
    }

    /** The reply for a failed write or read. */
    public static byte[] reply(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof NotLeaderException) {
            return NO_LEADER;
        }
        if (t instanceof ServerBusyException) {
            return Replies.error("TRYAGAIN busy: too many requests pending, retry later");
        }
        if (t instanceof IndeterminateOutcomeException) {
            return indeterminate("not confirmed before the request timeout (leader changes, lost messages or no "
                    + "majority)");
        }
        if (t instanceof ServerStoppedException) {
            return Replies.error("TRYAGAIN the node is stopping, use another node");
        }
        if (t instanceof SessionException e) {
            return switch (e.reason()) {
                case TOO_MANY_SESSIONS -> Replies.error("TRYAGAIN too many client sessions are open in the cluster");
                case EXPIRED -> Replies.error("TRYAGAIN the connection's session expired; the write was not applied");
                case BAD_SEQUENCE -> Replies.error("ERR internal: " + e.getMessage());
            };
        }
        if (t instanceof RequestRejectedException e) {
            return e.reason() == RequestRejectedException.Reason.NOT_A_MEMBER
                    ? Replies.error("TRYAGAIN this node is not a member of the cluster; use another node")
                    : Replies.error("ERR the leader cannot run this request (it runs an older version)");
        }
        return Replies.error("ERR " + t.getClass().getSimpleName() + ": " + t.getMessage());
    }

    /** A write whose outcome is unknown. */
    public static byte[] indeterminate(String why) {
        return Replies.error("INDETERMINATE " + why + "; the write may or may not have been applied");
    }

    /** The cause a future failed with, without the wrappers futures add. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
