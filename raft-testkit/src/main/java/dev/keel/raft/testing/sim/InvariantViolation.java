package dev.keel.raft.testing.sim;

/** A safety or liveness property the simulation checks did not hold. */
public final class InvariantViolation extends RuntimeException {
    private final String invariant;

    public InvariantViolation(String invariant, String detail) {
        super(invariant + ": " + detail);
        this.invariant = invariant;
    }

    /** Short name of the property, e.g. "election safety". */
    public String invariant() {
        return invariant;
    }
}
