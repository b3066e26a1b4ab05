package dev.keel.raft.testing.sim;

import dev.keel.raft.RaftServer;
import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.NotLeaderException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.random.RandomGenerator;

/**
 * A closed-loop client: one operation at a time, each through the public {@link RaftServer} API of whichever server
 * it believes leads (following {@link NotLeaderException}'s hint), giving up after a timeout. Writes carry values
 * no other write uses, so every read can be traced to the write it observed.
 */
final class SimClient {
    private static final long TIMEOUT_NANOS = 2_000_000_000L;

    private final int number;
    private final Simulation simulation;
    private final RandomGenerator random;
    private int target;
    private long counter;
    private long opSeq;
    private boolean stopped;

    SimClient(int number, Simulation simulation, RandomGenerator random) {
        this.number = number;
        this.simulation = simulation;
        this.random = random;
        this.target = random.nextInt(simulation.nodeCount());
    }

    void start() {
        scheduleNext(random.nextLong(50_000_000L));
    }

    void stop() {
        stopped = true;
    }

    private void scheduleNext(long delay) {
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
        RaftServer server = simulation.server(target);
        if (server == null) {
            target = random.nextInt(simulation.nodeCount());
            scheduleNext(thinkTime());
            return;
        }
        int key = random.nextInt(simulation.keys());
        long op = ++opSeq;
        long invokedAt = simulation.scheduler().now();
        String node = server.id().value();
        double choice = random.nextDouble();
        ClientOp.Kind kind = choice < 0.5 ? ClientOp.Kind.WRITE : choice < 0.6 ? ClientOp.Kind.CAS : ClientOp.Kind.READ;
        long value = kind == ClientOp.Kind.READ ? 0 : (long) (number + 1) * 1_000_000_000L + ++counter;
        long expected = kind == ClientOp.Kind.CAS ? simulation.lastValueSeen(key) : 0;
        long ackFloor = simulation.invariants().highestAcknowledged();
        byte[] command = kind == ClientOp.Kind.WRITE ? SimStateMachine.write(key, value)
                : kind == ClientOp.Kind.CAS ? SimStateMachine.cas(key, expected, value) : null;
        CompletableFuture<byte[]> f = command != null ? server.submit(command)
                : server.read(SimStateMachine.readQuery(key));
        simulation.scheduler().after(TIMEOUT_NANOS, SimScheduler.SYSTEM, "client-timeout", () -> {
            if (opSeq == op && !f.isDone()) {
                opSeq++;
                record(kind, key, value, expected, node, invokedAt, ClientOp.Outcome.UNKNOWN, "timed out");
                target = random.nextInt(simulation.nodeCount());
                scheduleNext(thinkTime());
            }
        });
        f.whenComplete((result, error) -> simulation.guard(() -> {
            if (opSeq != op) {
                return;
            }
            opSeq++;
            if (error == null) {
                onSuccess(kind, key, value, expected, node, invokedAt, command, result, ackFloor);
            } else {
                onFailure(kind, key, value, expected, node, invokedAt, error);
            }
            scheduleNext(thinkTime());
        }));
    }

    private void onSuccess(ClientOp.Kind kind, int key, long value, long expected, String node, long invokedAt,
                           byte[] command, byte[] result, long ackFloor) {
        if (kind == ClientOp.Kind.READ) {
            SimStateMachine.ReadResult r = SimStateMachine.ReadResult.decode(result);
            simulation.invariants().onRead(r.appliedIndex(), ackFloor,
                    "client " + number + "'s read of r" + key + " on " + node);
            simulation.sawValue(key, r.value());
            record(kind, key, r.value(), 0, node, invokedAt, ClientOp.Outcome.OK, "at " + r.appliedIndex());
            simulation.stats().readsOk++;
            return;
        }
        SimStateMachine.WriteResult w = SimStateMachine.WriteResult.decode(result);
        simulation.invariants().onAcknowledged(w.index(), command);
        if (w.applied()) {
            simulation.sawValue(key, value);
        }
        record(kind, key, value, expected, node, invokedAt, ClientOp.Outcome.OK,
                "index " + w.index() + (w.applied() ? "" : ", compare failed: was " + w.previous()));
        simulation.stats().writesOk++;
    }

    private void onFailure(ClientOp.Kind kind, int key, long value, long expected, String node, long invokedAt,
                           Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        boolean mayHaveApplied = kind != ClientOp.Kind.READ && cause instanceof IndeterminateOutcomeException;
        record(kind, key, value, expected, node, invokedAt,
                mayHaveApplied ? ClientOp.Outcome.UNKNOWN : ClientOp.Outcome.FAIL, cause.getClass().getSimpleName());
        if (cause instanceof NotLeaderException nle && nle.leader().isPresent()) {
            target = simulation.indexOf(nle.leader().get());
        } else {
            target = random.nextInt(simulation.nodeCount());
        }
    }

    private void record(ClientOp.Kind kind, int key, long value, long expected, String node, long invokedAt,
                        ClientOp.Outcome outcome, String detail) {
        simulation.record(new ClientOp(number, kind, key, value, expected, node, invokedAt,
                simulation.scheduler().now(), outcome, detail));
    }
}
