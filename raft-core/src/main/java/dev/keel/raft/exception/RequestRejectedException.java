package dev.keel.raft.exception;

/**
 * The leader refused a request forwarded to it without doing anything: the request certainly did not take effect, and
 * sending it again the same way will not help. {@link #reason()} says why.
 */
public class RequestRejectedException extends RaftException {

    /** Why the request was refused. */
    public enum Reason {
        /** It came from a server that is not a member of the leader's configuration. */
        NOT_A_MEMBER,
        /** It is of a kind the leader does not know (it runs an older version). */
        UNSUPPORTED
    }

    private final Reason reason;

    /**
     * @param reason  why the leader refused the request
     * @param message which request was refused and by whom, for the log
     */
    public RequestRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why the leader refused the request; neither reason goes away by retrying unchanged. */
    public Reason reason() {
        return reason;
    }
}
