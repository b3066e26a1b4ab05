package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.ForwardResponse.Outcome;
import dev.keel.raft.message.RaftMessage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A follower's side of forwarding: sends client requests to the leader it knows and relays the leader's answers. A
 * request that can no longer be answered fails at once: when this server learns of another leader or term, or the
 * transport reports the leader unreachable; only an answer lost on a healthy link waits out
 * {@link RaftConfig#forwardTimeout()}. At most {@link RaftConfig#maxInflightForwards()} requests are out to one leader.
 *
 * <p>Confined to the event loop. Callbacks run there: they must only hand the reply on.
 */
final class Forwarder {
    /** How many ticks apart the deadlines are checked: a tenth of a second at the default tick. */
    private static final int EXPIRY_PERIOD_TICKS = 10;

    private final NodeId self;
    private final RaftConfig config;
    private final Consumer<RaftMessage> send;
    private final Map<Long, Pending> pending = new LinkedHashMap<>();
    private final Map<NodeId, Integer> perLeader = new HashMap<>();
    private long nextId;
    private long now;

    private record Pending(long id, NodeId leader, long term, ClientRequest request, long deadline,
                           Consumer<Reply> done) {
    }

    /**
     * @param firstId where this incarnation's request ids start: random, so that a restarted follower's ids do not
     *                repeat ones the leader has seen from its previous incarnation in the same term
     */
    Forwarder(NodeId self, RaftConfig config, Consumer<RaftMessage> send, long firstId) {
        this.self = self;
        this.config = config;
        this.send = send;
        this.nextId = firstId;
    }

    /** Sends {@code request} to {@code leader}, which leads in {@code term}; {@code done} gets the outcome. */
    void forward(ClientRequest request, NodeId leader, long term, Consumer<Reply> done) {
        int out = perLeader.getOrDefault(leader, 0);
        if (out >= config.maxInflightForwards()) {
            done.accept(Reply.failed(Outcome.BUSY, self + " has " + out + " requests forwarded to " + leader
                    + " and unanswered (maxInflightForwards); retry later"));
            return;
        }
        long id = nextId++;
        long timeout = config.forwardTimeoutTicks()
                + (request instanceof ClientRequest.ChangeMembership ? config.catchUpTimeoutTicks() : 0);
        perLeader.put(leader, out + 1);
        pending.put(id, new Pending(id, leader, term, request, now + timeout, done));
        send.accept(new ForwardRequest(self, leader, term, id, request));
    }

    /** The leader answered. An answer from anyone else, or to a request given up on, is ignored. */
    void onResponse(ForwardResponse r) {
        Pending p = pending.get(r.requestId());
        if (p == null || !p.leader().equals(r.from())) {
            return;
        }
        remove(p);
        p.done().accept(new Reply(r.outcome(), r.index(), r.result(), r.leader(), r.detail()));
    }

    /** This server's view of the leader or term changed: requests to any other leader or term fail now. */
    void onLeaderChange(NodeId leader, long term) {
        if (pending.isEmpty()) {
            return;
        }
        resolveTransfers(leader);
        failWhere(p -> (!p.leader().equals(leader) || p.term() != term)
                        && !(p.request() instanceof ClientRequest.TransferLeadership),
                p -> p.leader() + " is no longer the leader this server knows (now "
                        + (leader == null ? "none" : leader) + " in term " + term + ")");
    }

    /**
     * A leadership transfer is what moves the leader: its outcome is who leads next, which this server sees as soon as
     * the old leader could tell it. While no leader is known, it waits (for the next one or its deadline).
     */
    private void resolveTransfers(NodeId leader) {
        if (leader == null) {
            return;
        }
        List<Pending> resolved = new ArrayList<>();
        for (Pending p : pending.values()) {
            if (p.request() instanceof ClientRequest.TransferLeadership t && !leader.equals(p.leader())) {
                resolved.add(p);
            }
        }
        for (Pending p : resolved) {
            remove(p);
            NodeId target = ((ClientRequest.TransferLeadership) p.request()).target();
            p.done().accept(leader.equals(target) ? Reply.ok(0, new byte[0])
                    : Reply.failed(Outcome.TIMEOUT, leader + " became leader instead of " + target));
        }
    }

    /** The transport cannot reach {@code peer}: requests sent to it will not be answered. */
    void onPeerUnreachable(NodeId peer) {
        failWhere(p -> p.leader().equals(peer), p -> "the connection to the leader " + peer + " failed");
    }

    /** One tick passed: requests past their deadline fail. */
    void tick() {
        now++;
        if (now % EXPIRY_PERIOD_TICKS == 0 && !pending.isEmpty()) {
            failWhere(p -> now >= p.deadline(), p -> "no answer from the leader " + p.leader() + " within "
                    + config.forwardTimeout().toMillis() + " ms");
        }
    }

    /** Fails everything (the server stops). */
    void failAll(String why) {
        failWhere(p -> true, p -> why);
    }

    /** Requests sent to {@code leader} and not answered yet. */
    int inflight(NodeId leader) {
        return perLeader.getOrDefault(leader, 0);
    }

    private void failWhere(java.util.function.Predicate<Pending> which,
                           java.util.function.Function<Pending, String> why) {
        List<Pending> failed = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (which.test(p)) {
                it.remove();
                failed.add(p);
            }
        }
        for (Pending p : failed) {
            perLeader.merge(p.leader(), -1, Integer::sum);
            // Once sent, a request that changes state may have been appended by the leader: its outcome is open.
            Reply reply = p.request().changesState()
                    ? Reply.failed(Outcome.INDETERMINATE, why.apply(p) + "; the request was forwarded to it and "
                    + "may or may not take effect")
                    : Reply.notLeader(null, why.apply(p));
            p.done().accept(reply);
        }
    }

    private void remove(Pending p) {
        pending.remove(p.id());
        perLeader.merge(p.leader(), -1, Integer::sum);
    }
}
