package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.message.ForwardResponse.Outcome;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The requests this server has accepted and not yet answered: commands appended to the log as leader (until
 * committed, when they go to the applier with their entries), reads waiting for a read index, and administrative
 * requests (membership changes, leadership transfers) waiting for the engine's result. Completes and fails them,
 * all of them when the server stops, a leader's commands when it loses leadership.
 *
 * <p>Admission ({@link #admitSubmit}, {@link #admitRead}) works from any thread and bounds what is pending by
 * {@code maxPendingProposals} and {@code maxPendingReads}; everything else is confined to the event loop.
 */
final class RequestRegistry {
    private final NodeId self;
    private final int maxSubmits;
    private final int maxReads;
    private final AtomicInteger pendingSubmits = new AtomicInteger();
    private final AtomicInteger pendingReads = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    // Event loop only.
    private final ArrayDeque<PendingProposal> proposals = new ArrayDeque<>();
    private final Map<Long, PendingQuery> reads = new HashMap<>();
    private final Map<Long, Consumer<Reply>> admin = new HashMap<>();

    RequestRegistry(NodeId self, int maxSubmits, int maxReads) {
        this.self = self;
        this.maxSubmits = maxSubmits;
        this.maxReads = maxReads;
    }

    /**
     * Counts a submit as pending until {@link #submitDone()} (any thread).
     *
     * @return {@code null} if admitted, else why not
     */
    ServerBusyException admitSubmit() {
        if (pendingSubmits.incrementAndGet() > maxSubmits) {
            pendingSubmits.decrementAndGet();
            return new ServerBusyException(self + " has " + maxSubmits
                    + " proposals pending (maxPendingProposals); retry later");
        }
        return null;
    }

    /** An admitted submit was answered (any thread). */
    void submitDone() {
        pendingSubmits.decrementAndGet();
    }

    /**
     * Counts a read as pending until {@code future} completes (any thread).
     *
     * @return {@code null} if admitted, else why not
     */
    ServerBusyException admitRead(CompletableFuture<?> future) {
        if (pendingReads.incrementAndGet() > maxReads) {
            pendingReads.decrementAndGet();
            return new ServerBusyException(self + " has " + maxReads
                    + " reads pending (maxPendingReads); retry later");
        }
        future.whenComplete((r, e) -> pendingReads.decrementAndGet());
        return null;
    }

    int pendingSubmits() {
        return pendingSubmits.get();
    }

    int pendingReads() {
        return pendingReads.get();
    }

    /** A new id for a read, a readiness round or an administrative request, unique on this server (any thread). */
    long nextId() {
        return ids.incrementAndGet();
    }

    /** A command was appended as leader; its requester waits for it to be applied. */
    void proposed(PendingProposal p) {
        proposals.add(p);
    }

    /** Takes the commands appended here with an index up to {@code lastIndex}, in index order (committed). */
    List<PendingProposal> committed(long lastIndex) {
        if (proposals.isEmpty() || proposals.peek().index() > lastIndex) {
            return List.of();
        }
        List<PendingProposal> mine = new ArrayList<>();
        while (!proposals.isEmpty() && proposals.peek().index() <= lastIndex) {
            mine.add(proposals.poll());
        }
        return mine;
    }

    /** A read waits for the engine's read state {@code id}. */
    void reading(long id, PendingQuery query) {
        reads.put(id, query);
    }

    /** The read waiting for read state {@code id}, removed; {@code null} if the id is not a read's. */
    PendingQuery takeRead(long id) {
        return reads.remove(id);
    }

    /** An administrative request waits for the engine's result {@code id}. */
    void administering(long id, Consumer<Reply> done) {
        admin.put(id, done);
    }

    /** Answers the administrative request {@code r} is the result of, if it is still waiting. */
    void adminResult(AdminResult r, NodeId leader) {
        Consumer<Reply> done = admin.remove(r.requestId());
        if (done == null) {
            return;
        }
        done.accept(switch (r.outcome()) {
            case SUCCESS -> r.membership() == null ? Reply.ok(0, new byte[0])
                    : Reply.ok(r.membershipIndex(), r.membership().encode());
            case NOT_LEADER -> Reply.notLeader(leader, r.message());
            case BUSY -> Reply.failed(Outcome.BUSY, r.message());
            case INDETERMINATE -> Reply.failed(Outcome.INDETERMINATE, r.message());
            case CONFLICT -> Reply.failed(Outcome.CONFLICT, r.message());
            case INVALID -> Reply.failed(Outcome.INVALID, r.message());
            case TIMEOUT -> Reply.failed(Outcome.TIMEOUT, r.message());
        });
    }

    /**
     * This server lost the leadership of {@code term}: its commands not yet committed may still be committed by the
     * next leader, or be replaced; it cannot tell, so they fail as indeterminate.
     */
    void leadershipLost(long term) {
        for (PendingProposal p : proposals) {
            p.done().accept(Reply.failed(Outcome.INDETERMINATE, self + " lost leadership of term " + term
                    + " before entry " + p.index() + " was known to be committed"));
        }
        proposals.clear();
    }

    /** The server stops: every request fails; commands already appended as indeterminate. */
    void failAll(String why, RuntimeException stopped) {
        for (PendingProposal p : proposals) {
            p.done().accept(Reply.failed(Outcome.INDETERMINATE,
                    why + "; the command was appended and may still be committed"));
        }
        proposals.clear();
        reads.values().forEach(q -> q.future().completeExceptionally(stopped));
        reads.clear();
        admin.values().forEach(r -> r.accept(Reply.failed(Outcome.STOPPED, why)));
        admin.clear();
    }
}
