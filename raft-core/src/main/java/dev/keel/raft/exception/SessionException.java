package dev.keel.raft.exception;

/**
 * A client session could not do what was asked. {@link #reason()} says why; the command in question was not applied
 * by the request that failed (but see {@link Reason#EXPIRED}).
 */
public class SessionException extends RaftException {

    /** Why. */
    public enum Reason {
        /**
         * The session has expired (no request reached the cluster within its timeout, in log time), was closed, or
         * never existed. Nothing more can be done through it: open a new session. A command that had been sent before
         * and may have been applied then fails with {@link IndeterminateOutcomeException} (with this as its cause)
         * instead.
         */
        EXPIRED,
        /** Opening a session failed: as many sessions are open as {@code RaftConfig.maxSessions} allows. */
        TOO_MANY_SESSIONS,
        /** The cluster refused a sequence number (a command of a forged or corrupted session request). */
        BAD_SEQUENCE
    }

    private final Reason reason;

    /**
     * @param reason  why the session could not do what was asked
     * @param message which session and request failed, for the log
     */
    public SessionException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why the session failed; only {@link Reason#TOO_MANY_SESSIONS} may succeed when retried later. */
    public Reason reason() {
        return reason;
    }
}
