package dev.keel.raft.exception;

/**
 * A membership change or leadership transfer did not happen as asked. {@link #reason()} says why; except for
 * {@link Reason#TIMEOUT} of a membership change (whose learners stay added), nothing was changed.
 */
public class ClusterChangeException extends RaftException {

    /** Why the request failed. */
    public enum Reason {
        /** The configuration changed since the request was computed (compare-and-set failed); re-read and retry. */
        CONFLICT,
        /** The request makes no sense for this cluster (e.g. the target is not a voter). */
        INVALID,
        /** It did not finish in time (new voters did not catch up; the transfer target did not win). */
        TIMEOUT
    }

    private final Reason reason;

    /**
     * @param reason  why the change or transfer failed, which tells the caller whether to re-read and retry
     * @param message what was asked and what stood in the way, for the log
     */
    public ClusterChangeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why the request failed; {@link Reason#CONFLICT} and {@link Reason#TIMEOUT} may succeed when retried. */
    public Reason reason() {
        return reason;
    }
}
