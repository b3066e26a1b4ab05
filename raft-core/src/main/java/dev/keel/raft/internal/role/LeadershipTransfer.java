package dev.keel.raft.internal.role;

import dev.keel.raft.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leadership transfer this server started (thesis §3.10), from the request until the target leads, another server
 * leads instead, or an election timeout passes. The one owner of a transfer's state: it outlives the leader role, since
 * the old leader learns the outcome as a follower. While it runs, the leader takes no proposals and sends the target
 * TimeoutNow once the target's log matches its own.
 */
public final class LeadershipTransfer {
    private static final Logger log = LoggerFactory.getLogger(LeadershipTransfer.class);

    private final RoleContext ctx;
    private long requestId = -1;
    private NodeId target;
    private long fromTerm;
    private long deadline;

    public LeadershipTransfer(RoleContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Asks to hand leadership to {@code target}; the caller is the leader.
     *
     * @return the outcome if it is known at once (already the leader, not a voter, another transfer running), or
     * {@code null} when the transfer started and its outcome comes later
     */
    public AdminResult start(long request, NodeId to) {
        if (to.equals(ctx.self())) {
            return AdminResult.success(request, ctx.membership(), ctx.membershipIndex());
        }
        if (!ctx.voters().contains(to)) {
            return AdminResult.failureOf(request, AdminResult.Outcome.INVALID,
                    to + " is not a voter of " + ctx.membership());
        }
        if (target != null) {
            return AdminResult.failureOf(request, AdminResult.Outcome.BUSY,
                    "a transfer to " + target + " is in progress");
        }
        requestId = request;
        target = to;
        fromTerm = ctx.term();
        deadline = ctx.now() + ctx.config().electionTimeoutMaxTicks();
        log.info("{} hands leadership of term {} to {}", ctx.self(), fromTerm, to);
        return null;
    }

    /** Whether the leader of {@code term} is handing over leadership (it then takes no proposals). */
    public boolean pausesLeaderOf(long term) {
        return target != null && term == fromTerm;
    }

    /** The server leadership is being handed to, or {@code null}. */
    public NodeId target() {
        return target;
    }

    /**
     * Time passed.
     *
     * @return the failure if the target did not lead within an election timeout, else {@code null}
     */
    public AdminResult onTick() {
        if (target == null || ctx.now() < deadline) {
            return null;
        }
        NodeId leader = ctx.leader();
        return finish(AdminResult.failureOf(requestId, AdminResult.Outcome.TIMEOUT, target
                + " did not become leader within an election timeout"
                + (leader == null ? "" : "; the leader is " + leader)));
    }

    /**
     * A leader became known (this server included).
     *
     * @return the outcome if that ends the transfer, else {@code null}
     */
    public AdminResult onLeaderKnown() {
        NodeId leader = ctx.leader();
        if (target == null || leader == null || ctx.term() <= fromTerm) {
            return null;
        }
        if (leader.equals(target)) {
            return finish(AdminResult.success(requestId, ctx.membership(), ctx.membershipIndex()));
        }
        return finish(AdminResult.failureOf(requestId, AdminResult.Outcome.TIMEOUT,
                leader + " became leader instead of " + target));
    }

    private AdminResult finish(AdminResult result) {
        target = null;
        requestId = -1;
        return result;
    }
}
