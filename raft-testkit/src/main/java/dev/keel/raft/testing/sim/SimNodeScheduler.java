package dev.keel.raft.testing.sim;

import dev.keel.raft.spi.RaftScheduler;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * The {@link RaftScheduler} of one incarnation of a simulated server: its event loop and applier are queues in
 * virtual time on the shared {@link SimScheduler}. Killing it (a crash) drops every task it has queued.
 */
final class SimNodeScheduler implements RaftScheduler, SimScheduler.Owner {
    private final SimScheduler sim;
    private final int node;
    private final RandomGenerator random;
    private final long maxApplyDelayNanos;
    private boolean alive = true;
    private long loopTail;
    private long applyTail;
    private long backgroundTail;

    SimNodeScheduler(SimScheduler sim, int node, RandomGenerator random, long maxApplyDelayNanos) {
        this.sim = sim;
        this.node = node;
        this.random = random;
        this.maxApplyDelayNanos = maxApplyDelayNanos;
    }

    @Override
    public boolean alive() {
        return alive;
    }

    @Override
    public int node() {
        return node;
    }

    /** A crash: nothing queued here will run. */
    void kill() {
        alive = false;
    }

    private final Executor loop = this::runOnLoop;
    private final Executor applier = this::runOnApplier;
    private final Executor background = this::runInBackground;

    private void runOnLoop(Runnable task) {
        // Serial and FIFO: never earlier than the previous task of this executor.
        loopTail = Math.max(loopTail, sim.now());
        sim.at(loopTail, this, "loop", task);
    }

    private void runOnApplier(Runnable task) {
        long delay = maxApplyDelayNanos == 0 ? 0 : random.nextLong(maxApplyDelayNanos);
        applyTail = Math.max(applyTail, sim.now() + delay);
        sim.at(applyTail, this, "apply", task);
    }

    private void runInBackground(Runnable task) {
        // Disk work: up to a millisecond per task.
        backgroundTail = Math.max(backgroundTail, sim.now() + random.nextLong(1_000_000L));
        sim.at(backgroundTail, this, "background", task);
    }

    @Override
    public Executor background() {
        return background;
    }

    @Override
    public Executor eventLoop() {
        return loop;
    }

    @Override
    public Executor applier() {
        return applier;
    }

    @Override
    public Cancellable scheduleAtFixedRate(Duration period, Runnable task) {
        long nanos = period.toNanos();
        boolean[] cancelled = {false};
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            if (cancelled[0]) {
                return;
            }
            task.run();
            sim.after(nanos, this, "tick", tick[0]);
        };
        sim.after(nanos, this, "tick", tick[0]);
        return () -> cancelled[0] = true;
    }

    @Override
    public void close() {
        // The simulation owns the threads (there are none); nothing to release.
    }
}
