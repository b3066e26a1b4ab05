package dev.keel.raft;

import dev.keel.raft.internal.runtime.ServerRuntime;
import dev.keel.raft.internal.runtime.ThreadScheduler;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.metrics.MetricsRegistry;
import dev.keel.raft.spi.RaftScheduler;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.Transport;
import dev.keel.raft.statemachine.StateMachine;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;

/**
 * One member of a Raft cluster: replicates commands through the log and applies them to a {@link StateMachine}.
 *
 * <pre>{@code
 * RaftServer server = RaftServer.builder()
 *         .id(NodeId.of("n1"))
 *         .members(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"))
 *         .stateMachine(myStateMachine)
 *         .logStorage(storage)
 *         .transport(transport)
 *         .build();
 * server.start();
 * byte[] result = server.submit(command).get();
 * }</pre>
 *
 * <h2>Threading</h2>
 * All methods are thread-safe and never block, except {@link #close()}, which waits briefly for the event loop to
 * stop. Futures complete on Keel's threads: results of {@link #submit} and {@link #read} on the applier thread.
 * Callbacks attached with the non-async {@code CompletableFuture} methods therefore run on that thread and delay
 * the state machine while they run: keep them short, or use the {@code *Async} variants.
 *
 * <h2>Lifecycle</h2>
 * Build, {@link #start()}, use, {@link #close()}. The server owns the storage and transport it is given and closes
 * them when it closes. A fatal error (a storage failure, a state machine exception, a broken internal invariant)
 * stops the server, as if closed, and is reported by {@link #failure()} and in the log.
 */
public final class RaftServer implements AutoCloseable {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final NodeId id;
    private final RaftConfig config;
    private final ServerRuntime runtime;
    private final RaftScheduler scheduler;
    private final boolean ownsScheduler;
    private boolean started;

    private RaftServer(Builder b) {
        this.id = b.id;
        this.config = b.config;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? new ThreadScheduler(b.id.value()) : b.scheduler;
        RandomGenerator random = b.random != null ? b.random : new SplittableRandom();
        this.runtime = new ServerRuntime(b.id, b.bootstrap, b.config, b.stateMachine, b.logStorage,
                b.snapshotStorage, b.transport, scheduler, random, b.clock, b.metrics);
        for (RaftListener l : b.listeners) {
            runtime.addListener(l);
        }
    }

    /** A builder for a server. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the transport and the timers. The server begins as a follower and joins elections once its election
     * timeout passes without hearing from a leader.
     *
     * @throws IllegalStateException if already started or closed
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException(id + " is already started");
        }
        if (runtime.isClosed()) {
            throw new IllegalStateException(id + " is closed");
        }
        started = true;
        runtime.start();
    }

    /**
     * Replicates a command and applies it. Works on any member: a follower forwards the command to the leader over
     * the Raft transport and relays the outcome (unless {@link RaftConfig#forwarding()} is off).
     *
     * <p>Not deduplicated: a caller that retries after an {@link dev.keel.raft.exception.IndeterminateOutcomeException}
     * may apply its command twice. Commands that must apply exactly once go through a session (sessions come with
     * their own retries).
     *
     * @return a future completing with the state machine's result once the command is committed and applied on the
     *         server that appended it. It fails with {@link dev.keel.raft.exception.NotLeaderException} (with the
     *         leader and its address, when known) if no leader is known or forwarding is off,
     *         {@link dev.keel.raft.exception.ServerBusyException} when too many commands are pending,
     *         {@link dev.keel.raft.exception.IndeterminateOutcomeException} if leadership changed (or the leader's
     *         answer was lost) after the command may have reached the log,
     *         {@link dev.keel.raft.exception.RequestRejectedException} if the leader refused a forwarded command, and
     *         {@link dev.keel.raft.exception.ServerStoppedException} once closed. Only the indeterminate outcome may
     *         have taken effect.
     */
    public CompletableFuture<byte[]> submit(byte[] command) {
        Objects.requireNonNull(command, "command");
        return runtime.operations().submit(command);
    }

    /**
     * Like {@link #submit}, but also reports the log index the command was committed at: commands are ordered by
     * their indexes, the same on every replica (MicroRaft's {@code Ordered}, etcd's revision).
     *
     * @return a future completing with the result and its index; it fails as {@link #submit}'s does
     */
    public CompletableFuture<Committed<byte[]>> submitCommitted(byte[] command) {
        Objects.requireNonNull(command, "command");
        return runtime.operations().submitCommitted(command);
    }

    /**
     * Completes once this server is ready to serve: it knows a leader, has learned the leader's commit index through a
     * ReadIndex round (thesis §6.4) started after this call, and has applied up to there: it has caught up with
     * everything the cluster committed before the call (also when it restarted in the middle of a leader's term). A
     * round that fails (the leader changed) is made again with the next leader. Requests work before that too (they
     * are forwarded, or fail with {@link dev.keel.raft.exception.NotLeaderException} while no leader is known): this
     * is for an application that wants to start serving only once the cluster is up.
     *
     * @return a future completing, on the applier thread, with the status at that moment; it fails with
     *         {@link dev.keel.raft.exception.ServerStoppedException} if the server closes first. It never times out:
     *         see {@link #awaitLeader(Duration)}
     */
    public CompletableFuture<ServerStatus> whenReady() {
        return runtime.operations().whenReady();
    }

    /**
     * Waits, blocking the calling thread, until {@link #whenReady()} completes.
     *
     * @param timeout how long to wait at most
     * @return the status once ready (its {@link ServerStatus#leader()} is set)
     * @throws TimeoutException              if no leader emerged (or this server did not catch up) within the timeout
     * @throws InterruptedException          if the calling thread was interrupted
     * @throws dev.keel.raft.exception.ServerStoppedException if the server is closed, or closes while waiting
     */
    public ServerStatus awaitLeader(Duration timeout) throws TimeoutException, InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<ServerStatus> ready = whenReady();
        try {
            return ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            ready.cancel(false);
            ServerStatus s = status();
            throw new TimeoutException(id + " is not ready after " + timeout.toMillis() + " ms: "
                    + (s.leader() == null ? "no leader is known (term " + s.term() + ", role " + s.role() + ")"
                    : "leader " + s.leader() + ", applied " + s.appliedIndex() + " of " + s.commitIndex()));
        }
    }

    /**
     * Opens a client session (thesis §6.3) through which commands apply exactly once, in order, retried by the session
     * itself across leader changes and lost replies; see {@link ClientSession}. Works on any member. Opening is
     * retried until {@link RaftConfig#sessionDeadline()}.
     *
     * @return a future completing with the open session; it fails with
     *         {@link dev.keel.raft.exception.SessionException} ({@code TOO_MANY_SESSIONS}) when
     *         {@link RaftConfig#maxSessions()} sessions are open, with the last attempt's exception
     *         ({@link dev.keel.raft.exception.NotLeaderException}, ...) if the deadline passed, and with
     *         {@link dev.keel.raft.exception.ServerStoppedException} once closed
     */
    public CompletableFuture<ClientSession> openSession() {
        return runtime.operations().openSession();
    }

    /**
     * Runs a linearizable read: it observes every command whose submit completed before the read was called.
     * Uses ReadIndex (thesis §6.4): no log write, one heartbeat round shared by all concurrent reads. Works on the
     * leader and on followers (which ask the leader for the read index, then read locally).
     *
     * @return a future completing with {@link StateMachine#query}'s result; it fails with
     *         {@link dev.keel.raft.exception.NotLeaderException} if no leader could confirm the read, with
     *         {@link dev.keel.raft.exception.ServerBusyException} when too many reads are pending, with
     *         {@link dev.keel.raft.exception.ServerStoppedException} once closed, or with the exception the query threw
     */
    public CompletableFuture<byte[]> read(byte[] query) {
        Objects.requireNonNull(query, "query");
        return runtime.operations().read(query);
    }

    /**
     * Takes a snapshot of the state machine now (they are also taken automatically, see
     * {@link RaftConfig#snapshotInterval()}), then compacts the log behind it.
     *
     * @return a future completing with the snapshot once it is durable; it fails if no {@link SnapshotStorage} was
     *         configured, if the state machine does not support snapshots, or if writing failed
     */
    public CompletableFuture<SnapshotMetadata> snapshot() {
        return runtime.operations().snapshot();
    }

    /**
     * Moves the cluster to the given voters and learners, safely, whatever the current configuration (thesis chapter
     * 4): members that become voters are first added as learners and promoted once they are within
     * {@link RaftConfig#catchUpMaxLag()} entries of the leader; a change of voters goes through a joint configuration
     * (a majority of the old and of the new voters must agree on everything in between). A member's address travels
     * with the configuration, so the transport learns of new members from it.
     *
     * <p>Compare-and-set: the request applies only if the configuration is still the one introduced at
     * {@code expectedMembershipIndex} (see {@link ServerStatus#membershipIndex()}), so two administrators cannot
     * race. Only one change runs at a time. Any member accepts it: a follower forwards it to the leader.
     *
     * @return a future completing with the new configuration once it is committed; it fails with
     *         {@link dev.keel.raft.exception.NotLeaderException} when no leader is known (or, with forwarding off,
     *         on a follower),
     *         {@link dev.keel.raft.exception.ServerBusyException} while another change is in progress (or the leader
     *         is new), {@link dev.keel.raft.exception.ClusterChangeException} when the configuration changed since
     *         ({@code CONFLICT}), the request is invalid, or new voters did not catch up within
     *         {@link RaftConfig#catchUpTimeout()} ({@code TIMEOUT}: they stay learners), and
     *         {@link dev.keel.raft.exception.IndeterminateOutcomeException} if leadership was lost midway
     */
    public CompletableFuture<Membership> changeMembership(Collection<Member> voters, Collection<Member> learners,
                                                          long expectedMembershipIndex) {
        Membership target;
        try {
            target = Membership.of(voters, learners);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new dev.keel.raft.exception.ClusterChangeException(
                    dev.keel.raft.exception.ClusterChangeException.Reason.INVALID, e.getMessage()));
        }
        return runtime.operations().changeMembership(target, expectedMembershipIndex);
    }

    /**
     * Hands leadership to {@code target} (thesis §3.10): the leader brings it up to date, pauses new proposals (they
     * fail as busy) for at most an election timeout, and tells it to start an election at once.
     *
     * @return a future completing once {@code target} leads (a follower forwards the request to the leader); it fails
     *         with {@link dev.keel.raft.exception.NotLeaderException} when no leader is known (or, with forwarding
     *         off, on a follower) and
     *         {@link dev.keel.raft.exception.ClusterChangeException} if the target is not a voter ({@code INVALID}) or
     *         did not win within an election timeout ({@code TIMEOUT})
     */
    public CompletableFuture<Void> transferLeadership(NodeId target) {
        Objects.requireNonNull(target, "target");
        return runtime.operations().transferLeadership(target);
    }

    /**
     * The server's current state, as its event loop last published it (once per batch of work), with the applied
     * index as of this call but never past that status's commit index. Any thread; it does not wait for the loop.
     */
    public ServerStatus status() {
        return runtime.status();
    }

    /** This server's configuration. */
    public RaftConfig config() {
        return config;
    }

    /** This server's id. */
    public NodeId id() {
        return id;
    }

    /** Adds a listener for role and leader changes; see {@link RaftListener} for the threading rules. */
    public void addListener(RaftListener listener) {
        runtime.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added with {@link #addListener}; it may still see an event already being delivered. */
    public void removeListener(RaftListener listener) {
        runtime.removeListener(listener);
    }

    /** The fatal error that stopped the server, if one did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(runtime.failure());
    }

    /** Whether {@link #close()} was called or a fatal error stopped the server. */
    public boolean isClosed() {
        return runtime.isClosed();
    }

    /**
     * Stops the server: closes the transport and the storage and fails every pending operation (a command already
     * in the log with {@link dev.keel.raft.exception.IndeterminateOutcomeException}, everything else with
     * {@link dev.keel.raft.exception.ServerStoppedException}). Idempotent. With the default threads, waits up to
     * 10 seconds for them to finish.
     */
    @Override
    public void close() {
        CompletableFuture<Void> stopped = runtime.close();
        if (!ownsScheduler) {
            return;
        }
        if (((ThreadScheduler) scheduler).isOwnThread()) {
            // Called from a callback on our own threads: they finish the shutdown once the caller returns.
            scheduler.close();
            return;
        }
        try {
            stopped.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Stop the threads regardless; the log says what was still running.
        } finally {
            scheduler.close();
        }
    }

    /**
     * Builds a {@link RaftServer}. Required: {@link #id}, {@link #members}, {@link #stateMachine},
     * {@link #logStorage}, {@link #transport}. Optional: {@link #config} (defaults), {@link #snapshotStorage} (no
     * snapshots), {@link #scheduler} (three threads per server), {@link #random}, {@link #metrics} (none).
     */
    public static final class Builder {
        private NodeId id;
        private Membership bootstrap;
        private boolean joining;
        private RaftConfig config = RaftConfig.defaults();
        private StateMachine stateMachine;
        private LogStorage logStorage;
        private Transport transport;
        private SnapshotStorage snapshotStorage;
        private RaftScheduler scheduler;
        private RandomGenerator random;
        private MetricsRegistry metrics = MetricsRegistry.noop();
        private Clock clock = Clock.systemUTC();
        private final java.util.List<RaftListener> listeners = new java.util.ArrayList<>();

        private Builder() {
        }

        /** This server's id; must be one of the members. */
        public Builder id(NodeId value) {
            this.id = Objects.requireNonNull(value, "id must not be null");
            return this;
        }

        /**
         * Starts a new cluster whose voters are {@code value}, this server included; their addresses are left to the
         * transport's own configuration. Ignored once the log or a snapshot holds a configuration (a restart).
         */
        public Builder members(Collection<NodeId> value) {
            Objects.requireNonNull(value, "members must not be null");
            Set<NodeId> set = new LinkedHashSet<>();
            for (NodeId m : value) {
                Objects.requireNonNull(m, "members must not contain null");
                if (!set.add(m)) {
                    throw new IllegalArgumentException("members lists " + m + " twice");
                }
            }
            if (set.isEmpty()) {
                throw new IllegalArgumentException("members must not be empty");
            }
            return initialMembership(Membership.ofVoters(set.stream().map(Member::of).toList()));
        }

        /**
         * Starts a new cluster with this configuration (voters and learners, with their addresses), this server
         * included. Ignored once the log or a snapshot holds a configuration (a restart).
         */
        public Builder initialMembership(Membership value) {
            Objects.requireNonNull(value, "initialMembership must not be null");
            if (value.isJoint()) {
                throw new IllegalArgumentException("the initial membership must not name outgoing voters");
            }
            this.bootstrap = value;
            this.joining = false;
            return this;
        }

        /**
         * Joins an existing cluster instead of starting one: the server starts with no configuration, never
         * campaigns, and learns the configuration from the leader once an administrator has added it (see
         * {@link RaftServer#changeMembership}). Use it for the first start of a new member only; on later starts its
         * log holds the configuration.
         */
        public Builder joining() {
            this.bootstrap = null;
            this.joining = true;
            return this;
        }

        /** The voting members of the cluster, this server included. */
        public Builder members(NodeId... value) {
            return members(Arrays.asList(value));
        }

        /** Timing and limits; {@link RaftConfig#defaults()} when not set. */
        public Builder config(RaftConfig value) {
            this.config = Objects.requireNonNull(value, "config must not be null");
            return this;
        }

        /** The application's state machine, which this server applies committed commands to; required. */
        public Builder stateMachine(StateMachine value) {
            this.stateMachine = Objects.requireNonNull(value, "stateMachine must not be null");
            return this;
        }

        /** The durable log; the server takes ownership and closes it. */
        public Builder logStorage(LogStorage value) {
            this.logStorage = Objects.requireNonNull(value, "logStorage must not be null");
            return this;
        }

        /** The transport; the server takes ownership and closes it. */
        public Builder transport(Transport value) {
            this.transport = Objects.requireNonNull(value, "transport must not be null");
            return this;
        }

        /**
         * Where snapshots are kept. Without one, no snapshot is ever taken and the log grows without bound; with one,
         * the server restores the newest snapshot at start and compacts the log behind each new one. The server
         * takes ownership and closes it.
         */
        public Builder snapshotStorage(SnapshotStorage value) {
            this.snapshotStorage = Objects.requireNonNull(value, "snapshotStorage must not be null");
            return this;
        }

        /** Threads to run on instead of the server's own two; the caller keeps ownership of them. */
        public Builder scheduler(RaftScheduler value) {
            this.scheduler = Objects.requireNonNull(value, "scheduler must not be null");
            return this;
        }

        /** The source of randomized election timeouts; seed it to make a run repeatable. */
        public Builder random(RandomGenerator value) {
            this.random = Objects.requireNonNull(value, "random must not be null");
            return this;
        }

        /**
         * Where the server reports its metrics ({@link dev.keel.raft.metrics.KeelMetrics} lists them); the default,
         * {@link MetricsRegistry#noop()}, measures nothing. Every meter is tagged {@code node=<id>}, so servers in one
         * JVM may share a registry. The server also hands the registry to its storage and transport
         * ({@link LogStorage#bindMetrics}, {@link Transport#bindMetrics}). Bind a metrics library with
         * {@code raft-metrics-micrometer}.
         */
        public Builder metrics(MetricsRegistry value) {
            this.metrics = Objects.requireNonNull(value, "metrics must not be null: use MetricsRegistry.noop()");
            return this;
        }

        /**
         * The wall clock this server stamps into the commands it appends while it leads: their <em>log time</em>,
         * which the state machine reads in {@link dev.keel.raft.statemachine.ApplyContext} and sessions expire by.
         * Default: the system clock (UTC). Keep the servers' clocks synchronized (NTP): skew shifts expiries but never
         * makes replicas disagree. Tests and simulations pass a clock they control.
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock must not be null");
            return this;
        }

        /** Adds a listener registered before the server starts, so that it sees every change. */
        public Builder listener(RaftListener value) {
            listeners.add(Objects.requireNonNull(value, "listener must not be null"));
            return this;
        }

        /**
         * @throws IllegalStateException if a required value is missing, the id is not a member, or the log and the
         *                               newest snapshot do not reach back to the first entry
         */
        public RaftServer build() {
            require(id, "id");
            if (bootstrap == null && !joining) {
                throw new IllegalStateException("members are required: call RaftServer.builder().members(...) or "
                        + "initialMembership(...) to start a cluster, or joining() to join an existing one");
            }
            require(stateMachine, "stateMachine");
            require(logStorage, "logStorage");
            require(transport, "transport");
            requireApply(stateMachine);
            if (bootstrap != null && !bootstrap.contains(id)) {
                throw new IllegalStateException("id " + id + " must be one of the members " + bootstrap);
            }
            return new RaftServer(this);
        }

        /** A state machine must implement one of the two apply methods; the defaults only hand over to each other. */
        private static void requireApply(StateMachine sm) {
            try {
                Class<?> withContext = sm.getClass().getMethod("apply",
                        dev.keel.raft.statemachine.ApplyContext.class, byte[].class).getDeclaringClass();
                Class<?> withIndex = sm.getClass().getMethod("apply", long.class, byte[].class).getDeclaringClass();
                if (withContext == StateMachine.class && withIndex == StateMachine.class) {
                    throw new IllegalStateException("stateMachine " + sm.getClass().getName() + " must implement "
                            + "StateMachine.apply(ApplyContext, byte[]) (or apply(long, byte[]))");
                }
            } catch (NoSuchMethodException e) {
                throw new AssertionError("StateMachine declares both apply methods", e);
            }
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalStateException(name + " is required: call RaftServer.builder()." + name + "(...)");
            }
        }
    }
}
