package dev.keel.raft.testing.sim;

import dev.keel.raft.ClientSession;
import dev.keel.raft.Committed;
import dev.keel.raft.RaftServer;
import dev.keel.raft.exception.IndeterminateOutcomeException;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.random.RandomGenerator;

/**
 * A client that writes through a {@link ClientSession}, opened on a random server (which forwards to the leader).
 * The session retries its commands itself, through leader changes, lost and duplicated forwards and replies, until a
 * deadline; the state machine refuses any operation applied twice, and at the end every acknowledged operation must
 * have been applied. Two kinds:
 * <ul>
 *   <li>{@code registers}: one operation at a time, WRITE and CAS through the session and reads on its server, all
 *       recorded for the linearizability check;</li>
 *   <li>{@code pipeline}: bursts of NOTE commands submitted back to back, which the state machine checks take effect
 *       in submission order within their session.</li>
 * </ul>
 * When its server crashes or its session expires, it opens a new session somewhere else.
 */
final class SimSessionClient {
    private static final Duration DEADLINE = Duration.ofSeconds(3);
    /**
     * A crashed server completes nothing (its threads are gone, as in a real crash): past its deadline and this much
     * more, the client gives up on what it was waiting for and starts over elsewhere.
     */
    private static final long WATCHDOG_NANOS = DEADLINE.toNanos() + 1_000_000_000L;

    private final int number;
    private final boolean pipeline;
    private final Simulation simulation;
    private final RandomGenerator random;
    private ClientSession session;
    private int sessionNode = -1;
    private boolean opening;
    private long openAttempt;
    private long counter;
    private long noteSequence;
    private int inFlight;
    private long burst;
    private SimClientPending pending;
    private boolean stopped;

    /** The register operation in flight. */
    private record SimClientPending(ClientOp.Kind kind, int key, long value, long expected, String node,
                                    long invokedAt) {
    }

    SimSessionClient(int number, boolean pipeline, Simulation simulation, RandomGenerator random) {
        this.number = number;
        this.pipeline = pipeline;
        this.simulation = simulation;
        this.random = random;
    }

    void start() {
        scheduleNext(random.nextLong(100_000_000L));
    }

    void stop() {
        stopped = true;
    }

    /** Records the register operation still in flight as one whose outcome is unknown. */
    void abandon() {
        if (pending != null) {
            SimClientPending p = pending;
            pending = null;
            simulation.record(new ClientOp(number, p.kind(), p.key(), p.value(), p.expected(), false, p.node(),
                    p.invokedAt(), -1, ClientOp.Outcome.UNKNOWN, "session: still in flight at the end"));
        }
    }

    private void scheduleNext(long delay) {
        if (!stopped) {
            simulation.scheduler().after(delay, SimScheduler.SYSTEM, "session-client", this::issue);
        }
    }

    private long thinkTime() {
        return 5_000_000L + random.nextLong(55_000_000L);
    }

    private boolean usable() {
        return session != null && !session.isClosed() && simulation.server(sessionNode) != null
                && !simulation.server(sessionNode).isClosed();
    }

    private void issue() {
        if (stopped) {
            return;
        }
        if (!usable()) {
            session = null;
            if (!opening) {
                open();
            }
            return;
        }
        if (pipeline) {
            burst();
        } else {
            registerOperation();
        }
    }

    private void open() {
        int node = random.nextInt(simulation.nodeCount());
        RaftServer server = simulation.server(node);
        if (server == null) {
            scheduleNext(thinkTime());
            return;
        }
        opening = true;
        long attempt = ++openAttempt;
        simulation.scheduler().after(WATCHDOG_NANOS, SimScheduler.SYSTEM, "session-watchdog", () -> {
            if (opening && openAttempt == attempt) {
                opening = false;
                simulation.stats().sessionOpensFailed++;
                scheduleNext(thinkTime());
            }
        });
        server.openSession().whenComplete((s, e) -> simulation.guard(() -> {
            if (!opening || openAttempt != attempt) {
                return;
            }
            opening = false;
            if (e == null) {
                session = s;
                sessionNode = node;
                noteSequence = 0;
                simulation.stats().sessionsOpened++;
            } else {
                simulation.stats().sessionOpensFailed++;
            }
            scheduleNext(thinkTime());
        }));
    }

    private void burst() {
        if (inFlight > 0) {
            scheduleNext(thinkTime());
            return;
        }
        int n = 1 + random.nextInt(8);
        ClientSession s = session;
        long thisBurst = ++burst;
        simulation.scheduler().after(WATCHDOG_NANOS, SimScheduler.SYSTEM, "session-watchdog", () -> {
            if (burst == thisBurst && inFlight > 0) {
                simulation.stats().sessionCommandsIndeterminate += inFlight;
                inFlight = 0;
                session = null;
                scheduleNext(thinkTime());
            }
        });
        for (int i = 0; i < n; i++) {
            long opId = (long) (number + 1) * 1_000_000_000L + 500_000_000L + ++counter;
            byte[] command = SimStateMachine.note(s.id(), ++noteSequence, opId);
            inFlight++;
            s.submitCommitted(command, DEADLINE).whenComplete((c, e) -> simulation.guard(() -> {
                if (burst != thisBurst || inFlight == 0) {
                    return;
                }
                inFlight--;
                if (e == null) {
                    simulation.invariants().onAcknowledgedOperation(opId, c.index(), command);
                    simulation.stats().sessionCommandsOk++;
                } else if (cause(e) instanceof IndeterminateOutcomeException) {
                    simulation.stats().sessionCommandsIndeterminate++;
                    countExpiry(cause(e));
                } else {
                    simulation.stats().sessionCommandsFailed++;
                    countExpiry(cause(e));
                }
                if (inFlight == 0) {
                    scheduleNext(thinkTime());
                }
            }));
        }
    }

    private void registerOperation() {
        RaftServer server = simulation.server(sessionNode);
        double choice = random.nextDouble();
        ClientOp.Kind kind = choice < 0.5 ? ClientOp.Kind.WRITE : choice < 0.65 ? ClientOp.Kind.CAS
                : ClientOp.Kind.READ;
        int key = random.nextInt(simulation.keys());
        long value = kind == ClientOp.Kind.READ ? 0 : (long) (number + 1) * 1_000_000_000L + ++counter;
        long expected = kind == ClientOp.Kind.CAS ? simulation.lastValueSeen(key) : 0;
        long ackFloor = simulation.invariants().highestAcknowledged();
        SimClientPending p = new SimClientPending(kind, key, value, expected, server.id().value(),
                simulation.scheduler().now());
        pending = p;
        watch(p);
        if (kind == ClientOp.Kind.READ) {
            server.read(SimStateMachine.readQuery(key)).whenComplete((r, e) -> simulation.guard(() -> {
                if (pending != p) {
                    return;
                }
                pending = null;
                if (e == null) {
                    SimStateMachine.ReadResult read = SimStateMachine.ReadResult.decode(r);
                    simulation.invariants().onRead(read.appliedIndex(), ackFloor, "session client " + number
                            + "'s read of r" + key);
                    simulation.sawValue(key, read.value());
                    record(p, read.value(), false, ClientOp.Outcome.OK, "at " + read.appliedIndex());
                } else {
                    record(p, 0, false, ClientOp.Outcome.FAIL, cause(e).getClass().getSimpleName());
                }
                scheduleNext(thinkTime());
            }));
            return;
        }
        byte[] command = kind == ClientOp.Kind.WRITE ? SimStateMachine.write(key, value, value)
                : SimStateMachine.cas(key, expected, value, value);
        session.submitCommitted(command, DEADLINE).whenComplete((c, e) -> simulation.guard(() -> {
            if (pending != p) {
                return;
            }
            pending = null;
            if (e == null) {
                onWritten(p, command, c);
            } else {
                Throwable t = cause(e);
                boolean unknown = t instanceof IndeterminateOutcomeException;
                record(p, value, false, unknown ? ClientOp.Outcome.UNKNOWN : ClientOp.Outcome.FAIL,
                        "session: " + t.getClass().getSimpleName());
                if (unknown) {
                    simulation.stats().sessionCommandsIndeterminate++;
                } else {
                    simulation.stats().sessionCommandsFailed++;
                }
                countExpiry(t);
            }
            scheduleNext(thinkTime());
        }));
    }

    private void watch(SimClientPending p) {
        simulation.scheduler().after(WATCHDOG_NANOS, SimScheduler.SYSTEM, "session-watchdog", () -> {
            if (pending == p) {
                pending = null;
                record(p, p.kind() == ClientOp.Kind.READ ? 0 : p.value(), false,
                        p.kind() == ClientOp.Kind.READ ? ClientOp.Outcome.FAIL : ClientOp.Outcome.UNKNOWN,
                        "session: no outcome, its server crashed");
                session = null;
                scheduleNext(thinkTime());
            }
        });
    }

    private void onWritten(SimClientPending p, byte[] command, Committed<byte[]> c) {
        SimStateMachine.WriteResult w = SimStateMachine.WriteResult.decode(c.result());
        if (w.index() != c.index()) {
            throw new InvariantViolation("session results", "a session command's result names index " + w.index()
                    + " but was reported committed at " + c.index());
        }
        simulation.invariants().onAcknowledgedOperation(p.value(), w.index(), command);
        if (w.applied()) {
            simulation.sawValue(p.key(), p.value());
        }
        record(p, p.value(), w.applied(), ClientOp.Outcome.OK, "session index " + w.index()
                + (w.applied() ? "" : ", compare failed: was " + w.previous()));
        simulation.stats().sessionCommandsOk++;
    }

    private void record(SimClientPending p, long value, boolean casSucceeded, ClientOp.Outcome outcome,
                        String detail) {
        simulation.record(new ClientOp(number, p.kind(), p.key(), value, p.expected(), casSucceeded, p.node(),
                p.invokedAt(), simulation.scheduler().now(), outcome, detail));
    }

    /** Counts the sessions the cluster expired under this client (seen as a typed error, possibly as a cause). */
    private void countExpiry(Throwable t) {
        String name = t.getClass().getSimpleName();
        if (t instanceof dev.keel.raft.exception.SessionException se) {
            name += "." + se.reason();
        } else if (t.getCause() != null) {
            name += "<" + t.getCause().getClass().getSimpleName();
        }
        simulation.stats().sessionFailures.merge(name, 1, Integer::sum);
        if (t instanceof dev.keel.raft.exception.RequestRejectedException) {
            // Its server was removed from the cluster: the leader refuses what it forwards. Move elsewhere.
            session = null;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof dev.keel.raft.exception.SessionException se
                    && se.reason() == dev.keel.raft.exception.SessionException.Reason.BAD_SEQUENCE) {
                // An honest client never sends a sequence number its session cannot take: the cluster lost track.
                throw new InvariantViolation("session protocol", "session client " + number
                        + " had a command refused for its sequence number: " + se.getMessage());
            }
            if (c instanceof dev.keel.raft.exception.SessionException se
                    && se.reason() == dev.keel.raft.exception.SessionException.Reason.EXPIRED && expiredSeen != session) {
                expiredSeen = session;
                simulation.stats().sessionsExpired++;
                return;
            }
        }
    }

    private ClientSession expiredSeen;

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
