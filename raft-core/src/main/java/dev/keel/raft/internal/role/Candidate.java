package dev.keel.raft.internal.role;

import dev.keel.raft.Role;

/**
 * The candidate (Raft §5.2): has started a new term, voted for itself, and becomes leader with votes from a
 * majority.
 */
public final class Candidate extends Campaign {

    private final boolean transfer;

    public Candidate(RoleContext ctx, boolean transfer) {
        super(ctx);
        this.transfer = transfer;
    }

    @Override
    boolean transfer() {
        return transfer;
    }

    @Override
    public Role role() {
        return Role.CANDIDATE;
    }

    @Override
    boolean preVote() {
        return false;
    }

    @Override
    long campaignTerm() {
        return ctx.term();
    }

    @Override
    void won() {
        ctx.becomeLeader();
    }
}
