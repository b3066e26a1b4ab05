package dev.keel.raft.testing.sim;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.spi.Transport;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A simulated network between the servers of one simulation: every message takes a random latency (so messages
 * reorder), and may be dropped, duplicated or blocked by a partition. All of it in virtual time, driven by the
 * simulation's seeded random.
 */
final class SimNetwork {
    private final SimScheduler sim;
    private final RandomGenerator random;
    private final List<NodeId> ids;
    private final InboundHandler[] handlers;
    private final boolean[][] blocked;
    private final Trace trace;
    /** Shown every delivered message; observes only. */
    SimulationListener listener = SimulationListener.NONE;

    long minLatencyNanos = 200_000;
    long maxLatencyNanos = 2_000_000;
    double dropRate;
    double duplicateRate;
    long sent;
    long delivered;
    long dropped;
    long snapshotChunks;

    SimNetwork(SimScheduler sim, RandomGenerator random, List<NodeId> ids, Trace trace) {
        this.sim = sim;
        this.random = random;
        this.ids = ids;
        this.handlers = new InboundHandler[ids.size()];
        this.blocked = new boolean[ids.size()][ids.size()];
        this.trace = trace;
    }

    /** The transport of one incarnation of server {@code node}. */
    Transport transport(int node, SimNodeScheduler owner) {
        return new Transport() {
            @Override
            public void start(InboundHandler handler) {
                handlers[node] = handler;
            }

            @Override
            public void send(RaftMessage message) {
                if (owner.alive()) {
                    route(node, message);
                }
            }

            @Override
            public void close() {
                if (owner.alive()) {
                    handlers[node] = null;
                }
            }
        };
    }

    /** The server crashed: messages to it are lost until it restarts. */
    void detach(int node) {
        handlers[node] = null;
    }

    void block(int from, int to) {
        blocked[from][to] = true;
    }

    boolean isBlocked(int from, int to) {
        return blocked[from][to];
    }

    void healPartitions() {
        for (boolean[] row : blocked) {
            java.util.Arrays.fill(row, false);
        }
    }

    /** Back to a healthy network: no partition, loss, duplication or unusual latency. */
    void healAll() {
        healPartitions();
        dropRate = 0;
        duplicateRate = 0;
        minLatencyNanos = 200_000;
        maxLatencyNanos = 2_000_000;
    }

    private void route(int from, RaftMessage message) {
        sent++;
        int to = ids.indexOf(message.to());
        if (to < 0 || blocked[from][to] || (dropRate > 0 && random.nextDouble() < dropRate)) {
            dropped++;
            return;
        }
        int copies = duplicateRate > 0 && random.nextDouble() < duplicateRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long latency = minLatencyNanos + random.nextLong(Math.max(1, maxLatencyNanos - minLatencyNanos));
            sim.after(latency, SimScheduler.SYSTEM, "deliver", () -> deliver(to, message));
        }
    }

    private void deliver(int to, RaftMessage message) {
        InboundHandler h = handlers[to];
        if (h == null) {
            dropped++;
            return;
        }
        delivered++;
        if (message instanceof dev.keel.raft.message.InstallSnapshotRequest) {
            snapshotChunks++;
        }
        trace.message(sim.now(), to, message);
        listener.onDelivered(sim.now(), message);
        h.onMessage(message);
    }
}
