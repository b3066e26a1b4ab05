package dev.keel.raft.testing.sim;

import dev.keel.raft.RaftServer;
import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.statemachine.StateMachine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A simulation of the user's own {@link StateMachine} (see {@link StateMachineSimulation}): how its replicas are made
 * and checked, and the clients that submit the user's commands and queries through the public API. Everything
 * runs on the simulation's one thread.
 */
final class UserWorkload<S extends StateMachine> {
    private static final long TIMEOUT_NANOS = 2_000_000_000L;

    private final Supplier<S> factory;
    private final Function<RandomGenerator, byte[]> commands;
    private final Function<RandomGenerator, byte[]> queries;
    private final Consumer<List<S>> check;
    private final Map<Long, Long> indexOfOperation = new HashMap<>();
    private final Map<Long, Integer> resultAtIndex = new HashMap<>();
    private long operations;
    private Simulation simulation;

    UserWorkload(Supplier<S> factory, Function<RandomGenerator, byte[]> commands,
                 Function<RandomGenerator, byte[]> queries, Consumer<List<S>> check) {
        this.factory = factory;
        this.commands = commands;
        this.queries = queries;
        this.check = check;
    }

    void attach(Simulation s) {
        this.simulation = s;
    }

    /** A new replica: a fresh user machine (a restarted server rebuilds it from its snapshot and log). */
    CheckedStateMachine<S> newStateMachine(String node, SimStateMachine.ApplyListener listener) {
        S user = factory.get();
        if (user == null) {
            throw new IllegalStateException("the state machine supplier returned null");
        }
        return new CheckedStateMachine<>(user, listener, (operation, index, result) -> {
            indexOfOperation.putIfAbsent(operation, index);
            int h = Arrays.hashCode(result);
            Integer known = resultAtIndex.putIfAbsent(index, h);
            if (known != null && known != h) {
                throw new InvariantViolation("deterministic state machine", node + " returned a different result"
                        + " for the command at index " + index + " than another replica did: the state machine"
                        + " depends on something besides its commands (a clock, randomness, iteration order of a"
                        + " hash-based collection, a snapshot that lost state)");
            }
        });
    }

    /** Submits the user's {@code command} as operation number {@code operation} (a new one per submission). */
    private CompletableFuture<byte[]> submit(RaftServer server, byte[] command, long[] operation) {
        operation[0] = ++operations;
        return server.submit(CheckedStateMachine.wrap(operation[0], command));
    }

    /** A closed-loop client: one operation at a time, leader hints followed, a timeout for silence. */
    final class Client {
        private final int number;
        private final RandomGenerator random;
        private int target;
        private Object pending;
        private boolean stopped;

        Client(int number, RandomGenerator random) {
            this.number = number;
            this.random = random;
            this.target = random.nextInt(simulation.nodeCount());
        }

        void start() {
            after(random.nextLong(50_000_000L));
        }

        void stop() {
            stopped = true;
        }

        private void after(long delay) {
            if (!stopped) {
                simulation.scheduler().after(delay, SimScheduler.SYSTEM, "client", this::issue);
            }
        }

        private long thinkTime() {
            return 5_000_000L + random.nextLong(55_000_000L);
        }

        private void issue() {
            if (stopped) {
                return;
            }
            boolean read = queries != null && random.nextInt(10) < 4;
            int node = read && random.nextBoolean() ? random.nextInt(simulation.nodeCount()) : target;
            RaftServer server = simulation.server(node);
            if (server == null) {
                target = random.nextInt(simulation.nodeCount());
                after(thinkTime());
                return;
            }
            Object op = new Object();
            pending = op;
            long ackFloor = simulation.invariants().highestAcknowledged();
            long[] operation = {0};
            byte[] command = read ? null : commands.apply(random);
            CompletableFuture<byte[]> f = read ? server.read(queries.apply(random))
                    : submit(server, command, operation);
            simulation.scheduler().after(TIMEOUT_NANOS, SimScheduler.SYSTEM, "client-timeout", () -> {
                if (pending == op) {
                    pending = null;
                    target = random.nextInt(simulation.nodeCount());
                    after(thinkTime());
                }
            });
            f.whenComplete((result, error) -> simulation.guard(() -> {
                if (pending != op) {
                    return;
                }
                pending = null;
                if (error == null) {
                    if (read) {
                        simulation.invariants().onRead(CheckedStateMachine.answeredAt(result), ackFloor,
                                "client " + number + "'s read on " + server.id());
                        simulation.stats().readsOk++;
                    } else {
                        acknowledged(operation[0], command);
                        simulation.stats().writesOk++;
                    }
                } else {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    if (cause instanceof NotLeaderException nle && nle.leader().isPresent()) {
                        target = simulation.indexOf(nle.leader().get());
                    } else if (!(cause instanceof IndeterminateOutcomeException)) {
                        target = random.nextInt(simulation.nodeCount());
                    }
                }
                after(thinkTime());
            }));
        }
    }

    /** An acknowledged command: it was applied at the index it was traced to, and must stay committed there. */
    private void acknowledged(long operation, byte[] command) {
        Long index = indexOfOperation.get(operation);
        if (index == null) {
            throw new InvariantViolation("acknowledged write durability", "operation " + operation
                    + " was acknowledged but no replica has applied it");
        }
        simulation.invariants().onAcknowledged(index, CheckedStateMachine.wrap(operation, command));
    }

    List<Client> startClients(int count, java.util.SplittableRandom random) {
        List<Client> out = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            Client client = new Client(c, random.split());
            out.add(client);
            client.start();
        }
        return out;
    }

    /** The liveness probe: one of the user's commands, then a read if the user gave queries, on {@code server}. */
    CompletableFuture<?> probe(RaftServer server, boolean[] done, RandomGenerator random) {
        byte[] command = commands.apply(random);
        long[] operation = {0};
        CompletableFuture<byte[]> write = submit(server, command, operation).thenApply(r -> {
            simulation.guard(() -> acknowledged(operation[0], command));
            return r;
        });
        if (queries == null) {
            return write.thenApply(r -> done[0] = true);
        }
        return write.thenCompose(r -> server.read(queries.apply(random))).thenApply(q -> done[0] = true);
    }

    /** Every replica of the converged cluster: the same commands applied, then the user's own check. */
    @SuppressWarnings("unchecked")
    void checkConverged(List<String> names, List<StateMachine> replicas) {
        CheckedStateMachine<S> first = (CheckedStateMachine<S>) replicas.get(0);
        List<S> users = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            CheckedStateMachine<S> r = (CheckedStateMachine<S>) replicas.get(i);
            if (r.digest() != first.digest() || r.lastIndex() != first.lastIndex()) {
                throw new InvariantViolation("state machine safety", names.get(i) + " and " + names.get(0)
                        + " applied different commands up to index " + first.lastIndex());
            }
            users.add(r.user());
        }
        if (check != null) {
            try {
                check.accept(List.copyOf(users));
            } catch (AssertionError | RuntimeException e) {
                throw new InvariantViolation("the state machine's own check", e.toString());
            }
        }
    }
}
