package dev.keel.raft.internal.runtime;

import dev.keel.raft.ClientSession;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.exception.RaftException;
import dev.keel.raft.message.ClientRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The client sessions opened on this server ({@link SessionClient}) and what they need from it: the event loop's
 * timers, routing of their requests, word of the next leader, and failing them all when the server stops.
 *
 * <p>Confined to the event loop, except {@link #post} and {@link #submit}.
 */
final class Sessions implements SessionHost {
    private final NodeId self;
    private final RaftConfig config;
    private final Executor callbacks;
    private final EventLoop loop;
    private final BiConsumer<ClientRequest, Consumer<Reply>> router;
    private final Supplier<NodeId> leader;
    private final Supplier<Membership> membership;
    private final LoopTimers timers = new LoopTimers();
    private final Set<SessionClient> open = new LinkedHashSet<>();
    private List<Runnable> leaderWaiters = new ArrayList<>();

    /**
     * @param callbacks  where callers' futures complete (the applier thread)
     * @param loop       the event loop
     * @param router     runs one attempt at a request, here or at the leader, without hopping threads for answers
     * @param leader     the leader this server knows, or {@code null}
     * @param membership the configuration in effect, for exceptions naming the leader's address
     */
    Sessions(NodeId self, RaftConfig config, Executor callbacks, EventLoop loop,
             BiConsumer<ClientRequest, Consumer<Reply>> router, Supplier<NodeId> leader,
             Supplier<Membership> membership) {
        this.self = self;
        this.config = config;
        this.callbacks = callbacks;
        this.loop = loop;
        this.router = router;
        this.leader = leader;
        this.membership = membership;
    }

    /** Opens a session (on the event loop); {@code opened} completes on the callbacks executor. */
    void open(CompletableFuture<ClientSession> opened) {
        SessionClient.open(this, opened);
    }

    /** One tick of the event loop passed. */
    void tick() {
        timers.tick();
    }

    /** This server learned of a leader: whoever waited for one goes on. */
    void leaderLearned() {
        if (!leaderWaiters.isEmpty()) {
            List<Runnable> ready = leaderWaiters;
            leaderWaiters = new ArrayList<>();
            ready.forEach(Runnable::run);
        }
    }

    /** The server stops: every session's pending commands fail. */
    void stopped(RaftException why) {
        for (SessionClient c : List.copyOf(open)) {
            c.stopped(why);
        }
        open.clear();
        timers.clear();
        leaderWaiters.clear();
    }

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public RaftConfig config() {
        return config;
    }

    @Override
    public LoopTimers timers() {
        return timers;
    }

    @Override
    public void post(Runnable task) {
        loop.post(task);
    }

    @Override
    public void submit(Runnable operation, Consumer<RuntimeException> refused) {
        loop.submit(operation, refused);
    }

    @Override
    public void route(ClientRequest request, Consumer<Reply> done) {
        router.accept(request, done);
    }

    @Override
    public boolean leaderKnown() {
        return leader.get() != null;
    }

    @Override
    public void onNextLeader(Runnable task) {
        if (leader.get() != null) {
            task.run();
        } else {
            leaderWaiters.add(task);
        }
    }

    @Override
    public Executor callbacks() {
        return callbacks;
    }

    @Override
    public RaftException exception(Reply failed) {
        return Outcomes.toException(failed, self, membership.get());
    }

    @Override
    public long ticks(Duration duration) {
        long tick = config.tickInterval().toNanos();
        return Math.max(1, (duration.toNanos() + tick - 1) / tick);
    }

    @Override
    public void register(SessionClient session) {
        open.add(session);
    }

    @Override
    public void forget(SessionClient session) {
        open.remove(session);
    }
}
