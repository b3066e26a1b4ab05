package dev.keel.raft.testing.linearizability;

/**
 * The checker's answer for a whole history.
 */
public enum Verdict {
    /** Every key's operations can be ordered consistently with their times and results. */
    LINEARIZABLE,
    /** Some key's operations cannot: the history proves a violation. */
    NOT_LINEARIZABLE,
    /**
     * The checker ran out of time (or memory) before deciding, and found no violation so far. This is not a pass:
     * callers must treat it as a failure, since the history may well be non-linearizable.
     */
    UNKNOWN
}
