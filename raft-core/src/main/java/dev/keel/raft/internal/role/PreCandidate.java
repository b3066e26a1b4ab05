package dev.keel.raft.internal.role;

import dev.keel.raft.Role;

/**
 * The pre-candidate (thesis §9.6): asks whether the voters would grant a vote in the next term, without changing
 * any term. Only with a majority of yes does it become a candidate, so a server that cannot win (cut off, or with
 * a stale log) never forces a healthy cluster into a new term.
 */
public final class PreCandidate extends Campaign {

    public PreCandidate(RoleContext ctx) {
        super(ctx);
    }

    @Override
    public Role role() {
        return Role.PRE_CANDIDATE;
    }

    @Override
    boolean preVote() {
        return true;
    }

    @Override
    boolean transfer() {
        return false;
    }

    @Override
    long campaignTerm() {
        return ctx.term() + 1;
    }

    @Override
    void won() {
        ctx.becomeCandidate(false);
    }
}
