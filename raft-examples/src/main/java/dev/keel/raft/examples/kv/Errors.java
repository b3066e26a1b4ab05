package dev.keel.raft.examples.kv;

import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.exception.ServerStoppedException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The error replies a client sees when Raft could not serve a command, by what the client should do about it:
 * {@code -TRYAGAIN} (nothing happened: retry, here or on another node) and {@code -INDETERMINATE} (a write may or may
 * not have been applied: check before retrying a non-idempotent write).
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
            return indeterminate("leadership changed before the write was confirmed");
        }
        if (t instanceof ServerStoppedException) {
            return Replies.error("TRYAGAIN the node is stopping, use another node");
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
