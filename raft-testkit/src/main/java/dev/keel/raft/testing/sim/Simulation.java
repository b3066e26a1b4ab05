package dev.keel.raft.testing.sim;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftServer;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.spi.SnapshotStorage;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A deterministic simulation of a Raft cluster: real {@link RaftServer}s, driven through their public API, on one
 * seeded scheduler in virtual time, over a simulated network and simulated disks, with clients and a fault injector.
 * Every Raft safety property is checked as it runs; after the faults stop and heal, a leader must emerge and serve a
 * write and a read within 10 election timeouts, and every replica must converge to the same state.
 *
 * <p>Same seed, same run: everything random comes from the seed, and nothing depends on wall-clock time or thread
 * scheduling. Not thread-safe: one simulation per thread.
 */
public final class Simulation {
    private static final long MILLIS = 1_000_000L;
    private static final long CONVERGENCE_NANOS = 30_000 * MILLIS;
    private static final int MAX_PENDING_EVENTS = 200_000;

    private final SimulationConfig config;
    private final SplittableRandom random;
    private final SimScheduler sim = new SimScheduler();
    private final Trace trace = new Trace();
    private final List<NodeId> ids = new ArrayList<>();
    private final Invariants invariants;
    private final SimNetwork network;
    private final SimDisk disk;
    private final Node[] nodes;
    private final List<SimClient> clients = new ArrayList<>();
    /** The user's state machine and workload (see {@link StateMachineSimulation}); null for the built-in registers. */
    private final UserWorkload<?> workload;
    private final List<UserWorkload<?>.Client> workloadClients = new ArrayList<>();
    private final List<SimSessionClient> sessionClients = new ArrayList<>();
    private final List<ClientOp> history = new ArrayList<>();
    private final SimulationResult.Stats stats = new SimulationResult.Stats();
    private final long[] lastValueSeen;
    private final SimulationListener listener;
    /** The commit index each node last reported to the listener. */
    private final long[] commitShown;
    private Nemesis nemesis;
    private InvariantViolation violation;
    private long events;

    /** One server: its current incarnation, or none while crashed. */
    private static final class Node {
        final int index;
        final NodeId id;
        int incarnation;
        SimNodeScheduler scheduler;
        SimLogStorage storage;
        dev.keel.raft.statemachine.StateMachine stateMachine;
        RaftServer server;
        boolean up;

        Node(int index, NodeId id) {
            this.index = index;
            this.id = id;
        }
    }

    /** A simulation of the cluster {@code config} describes, replicating the built-in registers. */
    public Simulation(SimulationConfig config) {
        this(config, SimulationListener.NONE);
    }

    /** A simulation whose events {@code listener} watches (it must only observe, see {@link SimulationListener}). */
    public Simulation(SimulationConfig config, SimulationListener listener) {
        this(config, listener, null);
    }

    /** A simulation of the user's state machine and workload instead of the built-in registers. */
    Simulation(SimulationConfig config, SimulationListener listener, UserWorkload<?> workload) {
        this.config = config;
        this.workload = workload;
        if (workload != null && config.sessionClients() > 0) {
            throw new IllegalArgumentException("session clients write the built-in registers: a simulation of the"
                    + " user's state machine runs none (sessionClients 0), was " + config.sessionClients());
        }
        if (workload != null) {
            workload.attach(this);
        }
        this.listener = java.util.Objects.requireNonNull(listener, "listener");
        this.random = new SplittableRandom(config.seed());
        for (int i = 1; i <= config.nodes() + config.spares(); i++) {
            ids.add(NodeId.of("n" + i));
        }
        this.invariants = new Invariants(ids);
        this.network = new SimNetwork(sim, random.split(), ids, trace);
        this.network.listener = listener;
        this.disk = config.disk().get();
        this.nodes = new Node[ids.size()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new Node(i, ids.get(i));
        }
        this.lastValueSeen = new long[config.keys()];
        this.commitShown = new long[nodes.length];
    }

    /** Runs one simulation and closes its disk. */
    public static SimulationResult run(SimulationConfig config) {
        return run(config, SimulationListener.NONE);
    }

    /** Runs one simulation, showing its events to {@code listener}, and closes its disk. */
    public static SimulationResult run(SimulationConfig config, SimulationListener listener) {
        return run(new Simulation(config, listener));
    }

    static SimulationResult run(Simulation s) {
        try {
            return s.execute();
        } finally {
            try {
                s.disk.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the simulated disk failed", e);
            }
        }
    }

    private SimulationResult execute() {
        guard(() -> {
            for (Node n : nodes) {
                startNode(n);
            }
        });
        if (workload != null) {
            workloadClients.addAll(workload.startClients(config.clients(), random.split()));
        } else {
            for (int c = 0; c < config.clients(); c++) {
                SimClient client = new SimClient(c, this, random.split());
                clients.add(client);
                client.start();
            }
        }
        for (int c = 0; c < config.sessionClients(); c++) {
            // Numbered after the plain clients and the liveness probe (which takes number clients()).
            SimSessionClient client = new SimSessionClient(config.clients() + 1 + c, c % 2 == 1, this,
                    random.split());
            sessionClients.add(client);
            client.start();
        }
        nemesis = new Nemesis(this, network, random.split(), config.faults());
        nemesis.start();

        long faultEnd = config.duration().toNanos();
        runUntil(faultEnd, () -> false);

        if (violation == null) {
            heal();
            livenessPhase();
        }
        if (violation == null) {
            convergencePhase();
        }
        clients.forEach(SimClient::abandon);
        sessionClients.forEach(SimSessionClient::abandon);
        if (violation == null) {
            checkFaultCoverage();
        }
        if (violation == null && workload == null) {
            // The user's workload has no model to check against; its reads are checked as they complete (never
            // older than an acknowledged write), its writes as durable at the index they were applied.
            checkLinearizability();
        }
        stats.messagesSent = network.sent;
        stats.messagesDropped = network.dropped;
        stats.snapshotChunksDelivered = network.snapshotChunks;
        stats.invariantChecks = invariants.checks;
        return new SimulationResult(config.seed(), config.nodes(), violation, trace.hash(), events, sim.now(), stats,
                nemesis.fired(), trace.lastEvents(400), trace.timeline(), List.copyOf(history));
    }

    // ---- phases -------------------------------------------------------------------------------------------------

    private void heal() {
        nemesis.stop();
        network.healAll();
        note("HEAL everything: the network is whole again and crashed servers restart");
        guard(() -> {
            for (Node n : nodes) {
                if (!n.up) {
                    restart(n.index);
                }
            }
        });
    }

    private void checkFaultCoverage() {
        java.util.Set<Fault> missing = java.util.EnumSet.noneOf(Fault.class);
        missing.addAll(config.faults());
        missing.removeAll(nemesis.fired().keySet());
        if (!missing.isEmpty()) {
            violation = new InvariantViolation("fault coverage", "fault families asked for but never injected: "
                    + missing + " (a longer duration gives the nemesis time for each)");
        }
    }

    /** Every client operation, as recorded, must be linearizable (Wing-Gong-Lowe search, per register). */
    private void checkLinearizability() {
        List<dev.keel.raft.testing.linearizability.Operation> ops = new ArrayList<>(history.size());
        for (ClientOp op : history) {
            ops.add(op.toOperation());
        }
        long started = System.nanoTime();
        dev.keel.raft.testing.linearizability.CheckResult result = LINEARIZABILITY.check(
                dev.keel.raft.testing.linearizability.History.of(ops));
        stats.linearizabilityMillis = (System.nanoTime() - started) / 1_000_000;
        switch (result.verdict()) {
            // No wall-clock time in the trace: it must be the same on every run of a seed.
            case LINEARIZABLE -> note("LINEARIZABLE: " + ops.size() + " client operations");
            case NOT_LINEARIZABLE -> violation = new InvariantViolation("linearizability", result.report());
            case UNKNOWN -> violation = new InvariantViolation("linearizability",
                    "the checker could not decide within its budget, which counts as a failure: " + result.report());
        }
    }

    private static final dev.keel.raft.testing.linearizability.LinearizabilityChecker LINEARIZABILITY =
            dev.keel.raft.testing.linearizability.LinearizabilityChecker.builder()
                    .timeBudget(java.time.Duration.ofSeconds(30)).build();

    /** Within 10 election timeouts of healing, a leader exists and serves a write and a read. */
    private void livenessPhase() {
        long deadline = sim.now() + 10 * config.raftConfig().electionTimeoutMax().toNanos();
        boolean[] done = {false};
        CompletableFuture<?>[] probe = {null};
        long[] nextProbe = {sim.now()};
        runUntil(deadline, () -> {
            if (done[0]) {
                return true;
            }
            boolean idle = probe[0] == null || probe[0].isCompletedExceptionally();
            if (idle && sim.now() >= nextProbe[0]) {
                // One attempt every 50 ms of virtual time, always at the current leader.
                nextProbe[0] = sim.now() + 50 * MILLIS;
                int leader = leaderIndex();
                if (leader >= 0) {
                    probe[0] = probe(nodes[leader].server, done);
                }
            }
            return false;
        });
        if (violation == null && !done[0]) {
            violation = new InvariantViolation("liveness", "no leader served a write and a read within 10 election"
                    + " timeouts after the faults healed");
        }
        if (violation == null) {
            note("LIVE: a leader served a write and a read after healing");
        }
    }

    private long probeValue;
    private final SplittableRandom probeRandom = new SplittableRandom(0x5eedL);

    /**
     * The liveness probe: a write then a read on {@code server}, recorded in the history like any client's (as
     * client number {@code clients}), since they interleave with the clients' last operations.
     */
    private CompletableFuture<?> probe(RaftServer server, boolean[] done) {
        if (workload != null) {
            return workload.probe(server, done, probeRandom);
        }
        int client = config.clients();
        long value = -(++probeValue);
        String node = server.id().value();
        long writeAt = sim.now();
        return server.submit(SimStateMachine.write(0, value, value)).handle((r, e) -> {
            record(new ClientOp(client, ClientOp.Kind.WRITE, 0, value, 0, false, node, writeAt, sim.now(),
                    e == null ? ClientOp.Outcome.OK : ClientOp.Outcome.UNKNOWN, e == null ? "probe" : "probe: " + e));
            if (e != null) {
                throw new java.util.concurrent.CompletionException(e);
            }
            return r;
        }).thenCompose(r -> {
            long readAt = sim.now();
            return server.read(SimStateMachine.readQuery(0)).handle((q, e) -> {
                if (e == null) {
                    record(new ClientOp(client, ClientOp.Kind.READ, 0, SimStateMachine.ReadResult.decode(q).value(),
                            0, false, node, readAt, sim.now(), ClientOp.Outcome.OK, "probe"));
                    done[0] = true;
                } else {
                    record(new ClientOp(client, ClientOp.Kind.READ, 0, 0, 0, false, node, readAt, sim.now(),
                            ClientOp.Outcome.FAIL, "probe: " + e));
                    throw new java.util.concurrent.CompletionException(e);
                }
                return q;
            });
        });
    }

    /** Clients stop; every server must apply the same commands up to the same index. */
    private void convergencePhase() {
        clients.forEach(SimClient::stop);
        workloadClients.forEach(UserWorkload.Client::stop);
        sessionClients.forEach(SimSessionClient::stop);
        long deadline = sim.now() + CONVERGENCE_NANOS;
        runUntil(deadline, this::converged);
        if (violation != null) {
            return;
        }
        if (!converged()) {
            StringBuilder sb = new StringBuilder();
            for (Node n : members()) {
                ServerStatus s = n.server.status();
                sb.append(' ').append(n.id).append(": commit ").append(s.commitIndex()).append(" applied ")
                        .append(s.appliedIndex()).append(" role ").append(s.role()).append(';');
            }
            violation = new InvariantViolation("convergence", "replicas did not converge within 30 s after healing:"
                    + sb);
            return;
        }
        guard(() -> {
            List<Node> members = members();
            Node first = members.get(0);
            if (workload != null) {
                workload.checkConverged(members.stream().map(m -> m.id.value()).toList(),
                        members.stream().map(m -> m.stateMachine).toList());
            } else {
                SimStateMachine firstRegisters = (SimStateMachine) first.stateMachine;
                for (Node n : members) {
                    SimStateMachine registers = (SimStateMachine) n.stateMachine;
                    if (registers.digest() != firstRegisters.digest()
                            || !java.util.Arrays.equals(registers.registers(), firstRegisters.registers())) {
                        throw new InvariantViolation("state machine safety", n.id + " and " + first.id
                                + " applied the same number of entries but hold different states");
                    }
                }
            }
            if (first.server.status().appliedIndex() < invariants.highestAcknowledged()) {
                throw new InvariantViolation("acknowledged write durability", "replicas converged at index "
                        + first.server.status().appliedIndex() + " below acknowledged index "
                        + invariants.highestAcknowledged());
            }
            invariants.checkAcknowledgedSurvive();
            invariants.checkAcknowledgedOperationsApplied(first.server.status().appliedIndex());
        });
        note("CONVERGED at index " + members().get(0).server.status().appliedIndex() + " with "
                + invariants.acknowledgedCount() + " acknowledged writes");
    }

    /** The members (voters and learners) of the leader's configuration; every node while no leader is known. */
    private List<Node> members() {
        int leader = leaderIndex();
        if (leader < 0 || nodes[leader].server.status().membership() == null) {
            return List.of(nodes);
        }
        dev.keel.raft.Membership m = nodes[leader].server.status().membership();
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (m.contains(n.id)) {
                out.add(n);
            }
        }
        return out;
    }

    private boolean converged() {
        long applied = -1;
        for (Node n : members()) {
            if (!n.up) {
                return false;
            }
            ServerStatus s = n.server.status();
            if (s.appliedIndex() != s.commitIndex() || (applied >= 0 && s.appliedIndex() != applied)) {
                return false;
            }
            applied = s.appliedIndex();
        }
        return applied >= invariants.highestCommitted() && leaderIndex() >= 0
                && applied == nodes[leaderIndex()].server.status().lastLogIndex();
    }

    private void runUntil(long time, BooleanSupplier stop) {
        while (violation == null && sim.nextTime() <= time) {
            if (stop.getAsBoolean()) {
                return;
            }
            SimScheduler.Ran ran = sim.step();
            if (ran == null) {
                break;
            }
            events++;
            if (sim.pending() > MAX_PENDING_EVENTS) {
                violation = new InvariantViolation("bounded work", sim.pending() + " events queued at once: "
                        + "something generates work without bound (last: " + ran.kind() + " on node " + ran.node()
                        + ")");
                return;
            }
            if (ran.node() >= 0 && "loop".equals(ran.kind())) {
                afterServerEvent(nodes[ran.node()]);
            }
        }
    }

    private void afterServerEvent(Node n) {
        if (!n.up) {
            return;
        }
        n.server.failure().ifPresent(f -> {
            Throwable t = f;
            while (t != null && !(t instanceof InvariantViolation)) {
                t = t.getCause();
            }
            violation = t != null ? (InvariantViolation) t
                    : new InvariantViolation("server failure", n.id + " stopped itself: " + f);
        });
        ServerStatus status = n.server.status();
        if (status.commitIndex() > commitShown[n.index]) {
            commitShown[n.index] = status.commitIndex();
            listener.onCommit(sim.now(), n.id, status.commitIndex());
        }
        guard(() -> {
            invariants.onServerEvent(n.index, status.commitIndex());
            if (status.isLeader()) {
                invariants.onLeaderCommit(n.index, status.term(), status.commitIndex(), n.storage);
            }
        });
    }

    // ---- servers ------------------------------------------------------------------------------------------------

    private void startNode(Node n) throws Exception {
        n.incarnation++;
        n.scheduler = new SimNodeScheduler(sim, n.index, random.split(), 200_000);
        LogStorage raw = disk.open(n.id);
        if (n.incarnation > 1) {
            invariants.onRestart(n.index, raw.hardState());
        }
        SplittableRandom fsync = random.split();
        n.storage = new SimLogStorage(raw, disk, sim, n.scheduler, () -> fsyncLatency(fsync),
                new SimLogStorage.Listener() {
                    @Override
                    public void appending(List<LogEntry> entries, long prevTerm) {
                        guard(() -> invariants.onAppend(n.index, entries, prevTerm));
                    }

                    @Override
                    public void hardStateDurable(HardState state) {
                        guard(() -> invariants.onHardStateDurable(n.index, state));
                    }

                    @Override
                    public void entriesDurable(List<LogEntry> entries) {
                    }

                    @Override
                    public void entriesLoaded(int count) {
                        if (count < 0) {
                            stats.entryLoadsFailed++;
                        } else {
                            stats.entryLoads++;
                        }
                    }
                });
        SimStateMachine.ApplyListener applyListener = new SimStateMachine.ApplyListener() {
            @Override
            public void applied(long index, byte[] command, long digest) {
                guard(() -> {
                    invariants.onApply(n.index, index, command, workload == null);
                    invariants.onState(n.index, index, digest, false);
                });
            }

            @Override
            public void restored(long index, long digest) {
                stats.snapshotsRestored++;
                guard(() -> invariants.onState(n.index, index, digest, true));
            }
        };
        n.stateMachine = workload != null ? workload.newStateMachine(n.id.value(), applyListener)
                : new SimStateMachine(config.keys(), applyListener);
        SnapshotStorage snapshots = disk.openSnapshots(n.id);
        RaftServer.Builder builder = RaftServer.builder()
                .id(n.id)
                .config(config.raftConfig())
                .stateMachine(n.stateMachine)
                .logStorage(n.storage)
                .transport(network.transport(n.index, n.scheduler))
                .scheduler(n.scheduler)
                .random(random.split())
                .clock(new SimWallClock(sim, clockSkew(n)))
                .listener(s -> onStatus(n, s));
        if (snapshots != null) {
            builder.snapshotStorage(snapshots);
        }
        if (n.index < config.nodes()) {
            builder.members(ids.subList(0, config.nodes()));
        } else {
            // A spare: it joins when a membership change adds it.
            builder.joining();
        }
        n.server = builder.build();
        n.up = true;
        n.server.start();
    }

    /**
     * Each incarnation's clock is off by up to 3 s either way, so that leaders disagree about the time and log time
     * must be kept from going back when leadership passes to a server whose clock is behind.
     */
    private long clockSkew(Node n) {
        return random.nextLong(-3_000, 3_001);
    }

    private static long fsyncLatency(SplittableRandom r) {
        // Mostly fast, sometimes a slow disk.
        return r.nextInt(20) == 0 ? 5 * MILLIS + r.nextLong(30 * MILLIS) : 50_000 + r.nextLong(2 * MILLIS);
    }

    private void onStatus(Node n, ServerStatus s) {
        if (!n.up) {
            return;
        }
        note(n.id + " is " + s.role() + " in term " + s.term() + (s.leader() != null ? ", leader " + s.leader() : ""));
        listener.onStatus(sim.now(), s);
        if (s.isLeader()) {
            stats.elections++;
            if (nemesis != null) {
                nemesis.onLeaderElected(n.index);
            }
        }
        guard(() -> invariants.onStatus(n.index, s, n.storage));
    }

    void crash(int index) {
        Node n = nodes[index];
        n.up = false;
        n.scheduler.kill();
        network.detach(index);
        stats.crashes++;
        commitShown[index] = 0; // it learns the commit index anew after restarting
        note("CRASH " + n.id + " (incarnation " + n.incarnation + ")");
        guard(() -> disk.crash(n.id, n.storage.delegate()));
    }

    void restart(int index) {
        Node n = nodes[index];
        note("RESTART " + n.id);
        guard(() -> startNode(n));
    }

    // ---- for clients and the nemesis ----------------------------------------------------------------------------

    /** Runs a check; the first violation stops the simulation (exceptions inside callbacks would be swallowed). */
    void guard(ThrowingRunnable check) {
        try {
            check.run();
        } catch (InvariantViolation v) {
            if (violation == null) {
                violation = v;
                note("VIOLATION " + v.getMessage());
            }
        } catch (Exception e) {
            if (violation == null) {
                violation = new InvariantViolation("simulation error", e.toString());
                note("ERROR " + e);
            }
        }
    }

    /** A task that may throw. */
    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    SimScheduler scheduler() {
        return sim;
    }

    Invariants invariants() {
        return invariants;
    }

    SimulationResult.Stats stats() {
        return stats;
    }

    int nodeCount() {
        return nodes.length;
    }

    int keys() {
        return config.keys();
    }

    boolean isUp(int index) {
        return nodes[index].up;
    }

    /** The server of a node, or {@code null} while it is crashed. */
    RaftServer server(int index) {
        Node n = nodes[index];
        return n.up ? n.server : null;
    }

    int indexOf(NodeId id) {
        return Math.max(0, ids.indexOf(id));
    }

    /** A node that believes it leads (the highest term wins), or -1. */
    int leaderIndex() {
        int best = -1;
        long bestTerm = -1;
        for (Node n : nodes) {
            if (n.up) {
                ServerStatus s = n.server.status();
                if (s.isLeader() && s.term() > bestTerm) {
                    best = n.index;
                    bestTerm = s.term();
                }
            }
        }
        return best;
    }

    List<NodeId> ids() {
        return ids;
    }

    String names(List<Integer> indexes) {
        List<String> out = new ArrayList<>();
        for (int i : indexes) {
            out.add(ids.get(i).value());
        }
        return String.join(",", out);
    }

    void note(String text) {
        trace.event(sim.now(), text);
        listener.onNote(sim.now(), text);
    }

    void record(ClientOp op) {
        history.add(op);
        trace.quiet(sim.now(), op.toString());
        listener.onClientOp(sim.now(), op);
    }

    long lastValueSeen(int key) {
        return lastValueSeen[key];
    }

    void sawValue(int key, long value) {
        lastValueSeen[key] = value;
    }
}
