package dev.keel.raft.testing.sim;

import dev.keel.raft.RaftConfig;
import dev.keel.raft.statemachine.StateMachine;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Your {@link StateMachine} in Keel's deterministic cluster simulator: real Keel servers replicating it on a
 * simulated network and simulated disks, in virtual time, with clients submitting your commands and reading through
 * your queries while the network drops, delays, duplicates and partitions messages and servers crash and restart
 * (losing what their disks had not synced) and membership changes. One seed, one run: a failure replays exactly
 * from the seed it prints.
 *
 * <p>What it checks, after every step and at the end: Raft's safety properties (one leader per term, log matching,
 * leader completeness, a committed entry never lost or changed); that every replica applies the same commands in
 * the same order and returns the same result for each (a state machine that reads a clock, a random source or a
 * hash-based collection's iteration order fails here, and so does one whose snapshot loses state); that every
 * acknowledged command stays applied at its index; that a read never misses a command acknowledged before it
 * started; that after the faults heal a leader serves a command and a read within 10 election timeouts and every
 * replica converges; then your own check on the converged replicas.
 *
 * <pre>{@code
 * SimulationResult result = StateMachineSimulation.of(Counter::new)
 *         .commands(random -> Counter.add(1 + random.nextInt(10)))
 *         .queries(random -> new byte[0])
 *         .check(replicas -> assertThat(replicas).extracting(Counter::value).containsOnly(replicas.get(0).value()))
 *         .seed(42)
 *         .run();
 * assertThat(result.ok()).as(result.report()).isTrue();
 * }</pre>
 *
 * <p>Snapshots: the servers take them often (every few hundred entries); a state machine whose
 * {@link StateMachine#takeSnapshot()} returns {@code null} simply keeps its whole log. Not thread-safe: build and
 * run on one thread; the state machine is only ever called from that thread too.
 *
 * @param <S> the state machine's type, as {@link #check} sees the replicas
 */
public final class StateMachineSimulation<S extends StateMachine> {
    private final Supplier<S> stateMachine;
    private Function<RandomGenerator, byte[]> commands;
    private Function<RandomGenerator, byte[]> queries;
    private Consumer<List<S>> check;
    private long seed = 1;
    private int nodes = 3;
    private Duration duration = Duration.ofSeconds(60);
    private Set<Fault> faults = EnumSet.allOf(Fault.class);
    private int clients = 5;
    private RaftConfig raftConfig;

    private StateMachineSimulation(Supplier<S> stateMachine) {
        this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
    }

    /**
     * A simulation of the state machines {@code stateMachine} makes: one per server, and a new one each time a
     * server restarts (it is rebuilt from its snapshot and log, as after a real crash).
     *
     * @param stateMachine makes a fresh, empty state machine
     * @param <S>          the state machine's type
     * @return a simulation to configure; {@link #commands} must be set before {@link #run}
     */
    public static <S extends StateMachine> StateMachineSimulation<S> of(Supplier<S> stateMachine) {
        return new StateMachineSimulation<>(stateMachine);
    }

    /**
     * The commands clients submit, one per call, drawn from the simulation's seeded random source (use only it,
     * so that a seed replays).
     *
     * @param commands makes the next command
     * @return this
     */
    public StateMachineSimulation<S> commands(Function<RandomGenerator, byte[]> commands) {
        this.commands = Objects.requireNonNull(commands, "commands");
        return this;
    }

    /**
     * The queries clients read with (linearizable reads, on the leader or through a follower); none by default.
     *
     * @param queries makes the next query from the seeded random source
     * @return this
     */
    public StateMachineSimulation<S> queries(Function<RandomGenerator, byte[]> queries) {
        this.queries = Objects.requireNonNull(queries, "queries");
        return this;
    }

    /**
     * Your own check of the converged cluster: it gets every replica of the final configuration, each having
     * applied the same commands; an {@link AssertionError} or exception it throws fails the run.
     *
     * @param check examines the replicas
     * @return this
     */
    public StateMachineSimulation<S> check(Consumer<List<S>> check) {
        this.check = Objects.requireNonNull(check, "check");
        return this;
    }

    /**
     * The seed every random choice comes from (default 1).
     *
     * @param seed the seed
     * @return this
     */
    public StateMachineSimulation<S> seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Servers that start as voters (default 3; two more start outside the cluster for membership changes).
     *
     * @param nodes 1 to 7
     * @return this
     */
    public StateMachineSimulation<S> nodes(int nodes) {
        if (nodes < 1 || nodes > 7) {
            throw new IllegalArgumentException("nodes must be between 1 and 7, was " + nodes);
        }
        this.nodes = nodes;
        return this;
    }

    /**
     * Virtual time with clients and faults, before the faults heal (default 60 s, which takes a few seconds). With
     * every fault family, each must fire at least once: below about 60 s, choose fewer {@link #faults}.
     *
     * @param duration at least 5 s
     * @return this
     */
    public StateMachineSimulation<S> duration(Duration duration) {
        if (duration.compareTo(Duration.ofSeconds(5)) < 0) {
            throw new IllegalArgumentException("duration must be at least 5 s of virtual time, was " + duration);
        }
        this.duration = duration;
        return this;
    }

    /**
     * The fault families to inject (default: all of them); each must fire at least once in the run.
     *
     * @param faults the families, possibly none
     * @return this
     */
    public StateMachineSimulation<S> faults(Set<Fault> faults) {
        this.faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
        return this;
    }

    /**
     * Concurrent clients (default 5), each with one operation at a time.
     *
     * @param clients 1 or more
     * @return this
     */
    public StateMachineSimulation<S> clients(int clients) {
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be at least 1, was " + clients);
        }
        this.clients = clients;
        return this;
    }

    /**
     * The servers' configuration; by default fast simulation timing with batching and snapshot settings drawn from
     * the seed, as in Keel's own simulation runs.
     *
     * @param raftConfig every server's configuration
     * @return this
     */
    public StateMachineSimulation<S> raftConfig(RaftConfig raftConfig) {
        this.raftConfig = Objects.requireNonNull(raftConfig, "raftConfig");
        return this;
    }

    /**
     * Runs the simulation for the seed set.
     *
     * @return the outcome; {@link SimulationResult#ok()} is false if any check failed, and
     *         {@link SimulationResult#report()} says which, with the seed and the last events
     * @throws IllegalStateException if no {@link #commands} were given
     */
    public SimulationResult run() {
        if (commands == null) {
            throw new IllegalStateException("set the commands the clients submit: commands(random -> ...)");
        }
        SimulationConfig standard = SimulationConfig.standard(seed, nodes, duration).withFaults(faults);
        SimulationConfig config = new SimulationConfig(seed, nodes, standard.spares(), duration, standard.faults(),
                clients, 0, 1, raftConfig != null ? raftConfig : standard.raftConfig(), standard.disk());
        UserWorkload<S> workload = new UserWorkload<>(stateMachine, commands, queries, check);
        return Simulation.run(new Simulation(config, SimulationListener.NONE, workload));
    }
}
