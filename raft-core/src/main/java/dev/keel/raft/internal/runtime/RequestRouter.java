package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.Role;
import dev.keel.raft.internal.engine.ProposeResult;
import dev.keel.raft.internal.engine.RaftEngine;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardResponse.Outcome;

import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Decides where a client request runs: on this server if it leads (a command appended to the log, a membership change
 * or leadership transfer handed to the engine), else at the leader it knows (forwarded), else nowhere (not leader).
 * Registers what it starts with the {@link RequestRegistry}.
 *
 * <p>Confined to the event loop; {@code done} runs on the applier thread or the event loop.
 */
final class RequestRouter {
    private final NodeId self;
    private final RaftConfig config;
    private final RaftEngine engine;
    private final RequestRegistry registry;
    private final Forwarder forwarder;
    private final RequestStamper stamper;
    private final Telemetry telemetry;
    private final Executor callbacks;

    /** @param callbacks where forwarded answers are handed to callers (their callbacks must not run on the loop) */
    RequestRouter(NodeId self, RaftConfig config, RaftEngine engine, RequestRegistry registry, Forwarder forwarder,
                  RequestStamper stamper, Telemetry telemetry, Executor callbacks) {
        this.self = self;
        this.config = config;
        this.engine = engine;
        this.registry = registry;
        this.forwarder = forwarder;
        this.stamper = stamper;
        this.telemetry = telemetry;
        this.callbacks = callbacks;
    }

    /** Runs {@code request} wherever it can run; a forwarded answer reaches {@code done} on the applier thread. */
    void route(ClientRequest request, Consumer<Reply> done) {
        route(request, done, true);
    }

    /** As {@link #route(ClientRequest, Consumer)}; {@code hop}: forwarded answers go through the applier thread. */
    void route(ClientRequest request, Consumer<Reply> done, boolean hop) {
        if (engine.role() == Role.LEADER) {
            execute(request, done);
            return;
        }
        NodeId leader = engine.leader();
        if (leader == null || !config.forwarding()) {
            Reply refused = Reply.notLeader(leader, self + " is not the leader");
            done.accept(request instanceof ClientRequest.Command
                    ? telemetry.refused(Telemetry.Op.SUBMIT, Telemetry.Reason.NOT_LEADER, refused) : refused);
            return;
        }
        forwarder.forward(request, leader, engine.term(),
                hop ? reply -> callbacks.execute(() -> done.accept(reply)) : done);
    }

    /** Runs a client request on this server, which leads (or just did). */
    void execute(ClientRequest request, Consumer<Reply> done) {
        byte[] entry = stamper.entryFor(request);
        if (entry != null) {
            propose(entry, done);
        } else if (request instanceof ClientRequest.ChangeMembership c) {
            admin(done, id -> engine.changeMembership(id, c.target(), c.expectedIndex()));
        } else if (request instanceof ClientRequest.TransferLeadership t) {
            admin(done, id -> engine.transferLeadership(id, t.target()));
        } else {
            done.accept(Reply.failed(Outcome.UNSUPPORTED, self + " cannot run " + request));
        }
    }

    /** Starts a read: the engine answers read state {@code id} (or fails it) in a later Ready. */
    void read(long id, PendingQuery query) {
        registry.reading(id, query);
        engine.read(id);
    }

    private void admin(Consumer<Reply> done, LongConsumer start) {
        long id = registry.nextId();
        registry.administering(id, done);
        start.accept(id);
    }

    private void propose(byte[] data, Consumer<Reply> done) {
        ProposeResult r = engine.propose(EntryType.REQUEST, data);
        switch (r.outcome()) {
            case APPENDED -> registry.proposed(new PendingProposal(r.index(), r.term(), done,
                    done instanceof Submitted s ? s.nanos() : System.nanoTime()));
            case NOT_LEADER -> done.accept(telemetry.refused(Telemetry.Op.SUBMIT, Telemetry.Reason.NOT_LEADER,
                    Reply.notLeader(r.leader(), self + " is not the leader")));
            case BUSY -> done.accept(telemetry.refused(Telemetry.Op.SUBMIT, Telemetry.Reason.BUSY,
                    Reply.failed(Outcome.BUSY, self + " has " + config.maxUncommittedEntries()
                            + " uncommitted entries (maxUncommittedEntries) or is handing leadership over;"
                            + " retry later")));
        }
    }
}
