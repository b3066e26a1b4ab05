package dev.keel.raft.testing.sim;

/** A safety or liveness property the simulation checks did not hold. */
public final class InvariantViolation extends RuntimeException {
    private final String invariant;

    /**
     * @param invariant short name of the property that failed, e.g. "election safety"
     * @param detail    the evidence: which servers, terms and indexes broke it
     */
    public InvariantViolation(String invariant, String detail) {
        super(invariant + ": " + detail);
        this.invariant = invariant;
    }

    /** Short name of the property, e.g. "election safety". */
    public String invariant() {
        return invariant;
    }
}
