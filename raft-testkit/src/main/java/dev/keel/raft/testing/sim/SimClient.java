package dev.keel.raft.testing.sim;

import dev.keel.raft.RaftServer;
import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.NotLeaderException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.random.RandomGenerator;

/**
 * A closed-loop client: one operation at a time, each through the public {@link RaftServer} API. Writes and CASes go
 * to the server it believes leads (following {@link NotLeaderException}'s hint); reads go there or, half the time, to
 * any server, which then reads through the leader's ReadIndex. It gives up on an operation after a timeout. Written
 * values are never reused, so every read can be traced to the write it observed. Every operation it starts is
 * recorded, with its outcome, for the linearizability check.
 */
final class SimClient {
    private static final long TIMEOUT_NANOS = 2_000_000_000L;

    private final int number;
    private final Simulation simulation;
    private final RandomGenerator random;
    private int target;
    private long counter;
    private long opSeq;
    private Pending pending;
    private boolean stopped;

    /** The operation in flight. */
    private record Pending(long seq, ClientOp.Kind kind, int key, long value, long expected, String node,
                           long invokedAt) {
    }

    SimClient(int number, Simulation simulation, RandomGenerator random) {
        this.number = number;
        this.simulation = simulation;
        this.random = random;
        this.target = random.nextInt(simulation.nodeCount());
    }

    void start() {
        scheduleNext(random.nextLong(50_000_000L));
    }

    /** No new operations; the one in flight, if any, still completes or times out. */
    void stop() {
        stopped = true;
    }

    /** Records the operation still in flight as one whose outcome is unknown (it may still take effect). */
    void abandon() {
        if (pending != null) {
            Pending p = pending;
            pending = null;
            simulation.record(new ClientOp(number, p.kind(), p.key(), p.value(), p.expected(), false, p.node(),
                    p.invokedAt(), -1, ClientOp.Outcome.UNKNOWN, "still in flight at the end"));
        }
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
        double choice = random.nextDouble();
        ClientOp.Kind kind = choice < 0.5 ? ClientOp.Kind.WRITE : choice < 0.6 ? ClientOp.Kind.CAS : ClientOp.Kind.READ;
        int node = kind == ClientOp.Kind.READ && random.nextBoolean() ? random.nextInt(simulation.nodeCount()) : target;
        RaftServer server = simulation.server(node);
        if (server == null) {
            target = random.nextInt(simulation.nodeCount());
            scheduleNext(thinkTime());
            return;
        }
        int key = random.nextInt(simulation.keys());
        long value = kind == ClientOp.Kind.READ ? 0 : (long) (number + 1) * 1_000_000_000L + ++counter;
        long expected = kind == ClientOp.Kind.CAS ? simulation.lastValueSeen(key) : 0;
        long ackFloor = simulation.invariants().highestAcknowledged();
        Pending p = new Pending(++opSeq, kind, key, value, expected, server.id().value(),
                simulation.scheduler().now());
        pending = p;
        // Values are unique, so a value also identifies its operation.
        byte[] command = kind == ClientOp.Kind.WRITE ? SimStateMachine.write(key, value, value)
                : kind == ClientOp.Kind.CAS ? SimStateMachine.cas(key, expected, value, value) : null;
        CompletableFuture<byte[]> f = command != null ? server.submit(command)
                : server.read(SimStateMachine.readQuery(key));
        simulation.scheduler().after(TIMEOUT_NANOS, SimScheduler.SYSTEM, "client-timeout", () -> {
            if (pending == p) {
                pending = null;
                record(p, p.kind() == ClientOp.Kind.READ ? 0 : p.value(), false, ClientOp.Outcome.UNKNOWN,
                        "timed out");
                target = random.nextInt(simulation.nodeCount());
                scheduleNext(thinkTime());
            }
        });
        f.whenComplete((result, error) -> simulation.guard(() -> {
            if (pending != p) {
                return;
            }
            pending = null;
            if (error == null) {
                onSuccess(p, command, result, ackFloor);
            } else {
                onFailure(p, error);
            }
            scheduleNext(thinkTime());
        }));
    }

    private void onSuccess(Pending p, byte[] command, byte[] result, long ackFloor) {
        if (p.kind() == ClientOp.Kind.READ) {
            SimStateMachine.ReadResult r = SimStateMachine.ReadResult.decode(result);
            simulation.invariants().onRead(r.appliedIndex(), ackFloor,
                    "client " + number + "'s read of r" + p.key() + " on " + p.node());
            simulation.sawValue(p.key(), r.value());
            record(p, r.value(), false, ClientOp.Outcome.OK, "at " + r.appliedIndex());
            simulation.stats().readsOk++;
            return;
        }
        SimStateMachine.WriteResult w = SimStateMachine.WriteResult.decode(result);
        simulation.invariants().onAcknowledged(w.index(), command);
        if (w.applied()) {
            simulation.sawValue(p.key(), p.value());
        }
        record(p, p.value(), w.applied(), ClientOp.Outcome.OK,
                "index " + w.index() + (w.applied() ? "" : ", compare failed: was " + w.previous()));
        simulation.stats().writesOk++;
    }

    private void onFailure(Pending p, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        boolean mayHaveApplied = p.kind() != ClientOp.Kind.READ && cause instanceof IndeterminateOutcomeException;
        record(p, p.kind() == ClientOp.Kind.READ ? 0 : p.value(), false,
                mayHaveApplied ? ClientOp.Outcome.UNKNOWN : ClientOp.Outcome.FAIL, cause.getClass().getSimpleName());
        if (cause instanceof NotLeaderException nle && nle.leader().isPresent()) {
            target = simulation.indexOf(nle.leader().get());
        } else {
            target = random.nextInt(simulation.nodeCount());
        }
    }

    private void record(Pending p, long value, boolean casSucceeded, ClientOp.Outcome outcome, String detail) {
        simulation.record(new ClientOp(number, p.kind(), p.key(), value, p.expected(), casSucceeded, p.node(),
                p.invokedAt(), simulation.scheduler().now(), outcome, detail));
    }
}
