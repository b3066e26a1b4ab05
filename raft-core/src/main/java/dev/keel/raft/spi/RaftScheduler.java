package dev.keel.raft.spi;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The threads a {@code RaftServer} runs on. The default gives each server three threads: the event loop, which runs
 * the consensus engine and never blocks, the applier, which calls the {@link
 * dev.keel.raft.statemachine.StateMachine}, and a background thread for snapshot I/O. Supplying your own lets several servers share threads, or (as Keel's
 * simulator does) run a whole cluster on one thread in virtual time.
 *
 * <p>Each executor must run its tasks one at a time, in submission order, and never run a task on the submitting
 * thread before {@code execute} returns.
 */
public interface RaftScheduler extends AutoCloseable {

    /** The serial executor of the event loop. */
    Executor eventLoop();

    /** The serial executor on which the state machine is called. */
    Executor applier();

    /** The serial executor for slow I/O off the event loop: writing, reading and receiving snapshots. */
    Executor background();

    /**
     * Runs {@code task} on the event loop every {@code period}, first after one period, until the returned handle
     * is cancelled.
     */
    Cancellable scheduleAtFixedRate(Duration period, Runnable task);

    /** Stops the threads once their queued tasks have run. Idempotent. */
    @Override
    void close();

    /** A handle on something that can be stopped. */
    @FunctionalInterface
    interface Cancellable {
        /** Stops it; idempotent. */
        void cancel();
    }
}
