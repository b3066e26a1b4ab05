package dev.keel.raft.internal.runtime;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.ForwardResponse.Outcome;
import dev.keel.raft.message.RaftMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The leader's side of forwarding: runs the requests followers forward to it, as its own callers' requests, and
 * answers each once. It refuses, without running anything, a request for a term it does not lead in, from a server
 * outside its configuration, of a kind it does not know, or beyond {@link RaftConfig#maxInflightForwards()} from
 * one follower; and it runs a request id it has seen in this term at most once (the network may deliver a message
 * twice), so that a duplicated forward never applies a command twice. A duplicate gets no answer of its own, even
 * after this server stopped leading that term: its original's answer is the one that says what happened.
 *
 * <p>Confined to the event loop.
 */
final class ForwardedRequests {
    private static final Logger log = LoggerFactory.getLogger(ForwardedRequests.class);

    private final NodeId self;
    private final RaftConfig config;
    private final Consumer<RaftMessage> send;
    private final Executor loop;
    private final BiConsumer<ClientRequest, Consumer<Reply>> runner;
    private final Map<NodeId, Origin> origins = new HashMap<>();
    private long originsTerm = -1;

    /** One follower's requests in the term this server last led (kept after it stops leading, for duplicates). */
    private static final class Origin {
        final LinkedHashSet<Long> seen = new LinkedHashSet<>();
        int inflight;
    }

    /**
     * @param send   sends a message (on the event loop)
     * @param loop   runs a task on the event loop (answers are sent from there)
     * @param runner runs a request on this server, as leader, on the event loop; the callback may come on any thread
     */
    ForwardedRequests(NodeId self, RaftConfig config, Consumer<RaftMessage> send, Executor loop,
                      BiConsumer<ClientRequest, Consumer<Reply>> runner) {
        this.self = self;
        this.config = config;
        this.send = send;
        this.loop = loop;
        this.runner = runner;
    }

    /**
     * A forwarded request arrived.
     *
     * @param leads      whether this server leads in {@code term}
     * @param term       this server's term
     * @param leader     the leader this server knows, for a refusal
     * @param membership the configuration in effect, or {@code null} if none is known
     */
    void onRequest(ForwardRequest m, boolean leads, long term, NodeId leader, Membership membership) {
        Origin known = m.term() == originsTerm ? origins.get(m.from()) : null;
        if (known != null && known.seen.contains(m.requestId())) {
            // A duplicate of a request taken while leading its term: the original gets the one answer. Refusing it
            // now (this server may have stepped down since) would tell the follower that nothing was done, although
            // the original may be committed.
            log.debug("{} drops a duplicate of request {} from {}", self, m.requestId(), m.from());
            return;
        }
        if (!leads || m.term() != term) {
            answer(m, term, Reply.notLeader(leads ? self : leader, self + " does not lead in term " + m.term()
                    + (leads ? " (it leads in term " + term + ")" : "")));
            return;
        }
        if (membership == null || !membership.contains(m.from())) {
            log.warn("{} refuses a request forwarded by {}, which is not a member of {}", self, m.from(), membership);
            answer(m, term, Reply.failed(Outcome.NOT_A_MEMBER, m.from() + " is not a member of the configuration "
                    + membership + "; nothing was done"));
            return;
        }
        if (m.request() instanceof ClientRequest.Unsupported u) {
            log.warn("{} refuses a forwarded request of unknown kind {} from {} (a newer version?)", self, u.kind(),
                    m.from());
            answer(m, term, Reply.failed(Outcome.UNSUPPORTED, self + " does not know request kind " + u.kind()
                    + " (it runs an older version); nothing was done"));
            return;
        }
        if (term != originsTerm) {
            origins.clear();
            originsTerm = term;
        }
        Origin origin = origins.computeIfAbsent(m.from(), id -> new Origin());
        origin.seen.add(m.requestId());
        if (origin.seen.size() > 4 * config.maxInflightForwards()) {
            Iterator<Long> oldest = origin.seen.iterator();
            oldest.next();
            oldest.remove();
        }
        if (origin.inflight >= config.maxInflightForwards()) {
            answer(m, term, Reply.failed(Outcome.BUSY, self + " has " + origin.inflight + " requests from "
                    + m.from() + " in progress (maxInflightForwards); retry later"));
            return;
        }
        origin.inflight++;
        runner.accept(m.request(), reply -> loop.execute(() -> {
            origin.inflight--;
            answer(m, term, reply);
        }));
    }

    private void answer(ForwardRequest m, long term, Reply r) {
        send.accept(new ForwardResponse(self, m.from(), term, m.requestId(), r.outcome(), r.index(), r.result(),
                r.leader(), r.detail()));
    }
}
