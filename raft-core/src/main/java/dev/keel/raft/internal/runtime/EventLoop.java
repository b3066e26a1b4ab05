package dev.keel.raft.internal.runtime;

import dev.keel.raft.exception.ServerBusyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one thread that touches the engine: tasks from any thread are queued here and run in arrival order on the
 * executor given (one thread), and after each batch of tasks {@code afterBatch} runs once (the runtime takes the
 * engine's Ready there). Every threading rule of the runtime is this class's.
 *
 * <h2>The overload rule</h2>
 * The inbox is one FIFO queue, but what may wait in it is bounded per kind of work:
 * <ul>
 *   <li><b>Client operations</b> ({@link #submit}): at most {@code capacity} wait at once. One more is refused at
 *       once with a {@link ServerBusyException}: the caller is told to retry, nothing is queued.</li>
 *   <li><b>Inbound messages</b> ({@link #deliver}): at most {@code capacity} wait at once. One more is dropped and
 *       counted ({@link #droppedMessages()}, the {@code keel.inbox.dropped} metric, a WARN log per overload episode): Raft tolerates a lost message and the
 *       sender resends it (heartbeats, AppendEntries retries, snapshot-chunk and forwarding timeouts).</li>
 *   <li><b>Ticks</b> ({@link #tick}): at most one waits; a tick that finds one waiting is dropped. A loop too busy to
 *       keep up sees time run slower, which delays elections and never breaks safety.</li>
 *   <li><b>Completions</b> of work the loop itself started ({@link #post}: storage writes done, snapshots taken,
 *       the applier's and the sessions' callbacks): never refused, never dropped. They are bounded by the work in
 *       flight, which the loop only starts for inputs that passed the bounds above.</li>
 * </ul>
 *
 * <h2>Stopping and the fatal path</h2>
 * {@link #stop(Runnable)} queues a last task; tasks queued before it still run, tasks after it do not: a client
 * operation then fails with the stop exception instead of running, everything else is dropped. A task that throws
 * (a {@link RuntimeException} or an {@link Error}, such as a broken invariant's {@link AssertionError}) is handed to
 * the fatal handler, which is expected to call {@link #stop}; the loop then runs only the queued last task, so nothing
 * touches the engine after it failed, and the node stops instead of hanging.
 */
final class EventLoop {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    private final String name;
    private final Executor executor;
    private final int capacity;
    private final Runnable afterBatch;
    private final Consumer<Throwable> fatal;
    private final Supplier<RuntimeException> stoppedError;
    private final Runnable onDrop;

    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicInteger queuedOperations = new AtomicInteger();
    private final AtomicInteger queuedMessages = new AtomicInteger();
    private final AtomicBoolean tickQueued = new AtomicBoolean();
    private final AtomicLong droppedMessages = new AtomicLong();
    private final AtomicBoolean overloaded = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** Loop thread only: the last task ran, or a task failed; nothing but the last task runs any more. */
    private boolean halted;
    private boolean failed;

    /** A client operation: runs, or is refused once the loop has stopped. */
    private final class Operation implements Runnable {
        final Runnable task;
        final Consumer<RuntimeException> refused;

        Operation(Runnable task, Consumer<RuntimeException> refused) {
            this.task = task;
            this.refused = refused;
        }

        @Override
        public void run() {
            queuedOperations.decrementAndGet();
            if (halted || failed) {
                refused.accept(stoppedError.get());
            } else {
                task.run();
            }
        }
    }

    /** An inbound message's task. */
    private final class Message implements Runnable {
        final Runnable task;

        Message(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            queuedMessages.decrementAndGet();
            if (!halted && !failed) {
                task.run();
            }
        }
    }

    /** The last task. */
    private record Last(Runnable task) implements Runnable {
        @Override
        public void run() {
            task.run();
        }
    }

    /**
     * @param name         for logs (the server's id)
     * @param executor     runs {@link #drain} on one thread
     * @param capacity     the bound on waiting client operations, and separately on waiting inbound messages
     * @param afterBatch   runs after each batch of tasks, unless the loop stopped
     * @param fatal        told about a task that threw; expected to {@link #stop} the loop
     * @param stoppedError the exception a client operation fails with once the loop has stopped
     * @param onDrop       told of each inbound message dropped (the metric), on the caller's thread
     */
    EventLoop(String name, Executor executor, int capacity, Runnable afterBatch, Consumer<Throwable> fatal,
              Supplier<RuntimeException> stoppedError, Runnable onDrop) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.name = name;
        this.executor = executor;
        this.capacity = capacity;
        this.afterBatch = afterBatch;
        this.fatal = fatal;
        this.stoppedError = stoppedError;
        this.onDrop = onDrop;
    }

    /**
     * Queues a client operation (any thread); if it cannot run, {@code refused} is told why, on this thread (inbox
     * full: a {@link ServerBusyException}; stopped: the stop exception) or later on the loop (stopped meanwhile).
     *
     * @return whether it was queued
     */
    boolean submit(Runnable operation, Consumer<RuntimeException> refused) {
        if (stopping.get()) {
            refused.accept(stoppedError.get());
            return false;
        }
        if (queuedOperations.incrementAndGet() > capacity) {
            queuedOperations.decrementAndGet();
            refused.accept(new ServerBusyException(name + " has " + capacity + " operations queued for its event loop"
                    + " (inboxCapacity); retry later"));
            return false;
        }
        enqueue(new Operation(operation, refused));
        return true;
    }

    /**
     * Queues the handling of an inbound message (any thread), or drops it when {@code capacity} are waiting.
     *
     * @return whether it was queued
     */
    boolean deliver(Runnable message) {
        if (stopping.get()) {
            return false;
        }
        if (queuedMessages.incrementAndGet() > capacity) {
            queuedMessages.decrementAndGet();
            long dropped = droppedMessages.incrementAndGet();
            onDrop.run();
            if (overloaded.compareAndSet(false, true)) {
                log.warn("{}: {} inbound messages wait for the event loop (inboxCapacity): dropping more until it "
                        + "catches up ({} dropped so far)", name, capacity, dropped);
            }
            return false;
        }
        if (overloaded.get() && queuedMessages.get() <= capacity / 2) {
            overloaded.set(false);
        }
        enqueue(new Message(message));
        return true;
    }

    /** Queues a tick (the timer's thread) unless one is already waiting. */
    void tick(Runnable tick) {
        if (stopping.get() || !tickQueued.compareAndSet(false, true)) {
            return;
        }
        enqueue(() -> {
            tickQueued.set(false);
            if (!halted && !failed) {
                tick.run();
            }
        });
    }

    /** Queues the completion of work the loop started (any thread); never refused, dropped only once stopped. */
    void post(Runnable completion) {
        enqueue(() -> {
            if (!halted && !failed) {
                completion.run();
            }
        });
    }

    /** Stops the loop after the tasks queued so far and {@code last}; the first call wins. */
    void stop(Runnable last) {
        if (stopping.compareAndSet(false, true)) {
            enqueue(new Last(last));
        }
    }

    /** Whether {@link #stop} was called. */
    boolean isStopping() {
        return stopping.get();
    }

    /** Inbound messages dropped because the inbox was full. */
    long droppedMessages() {
        return droppedMessages.get();
    }

    /** Client operations waiting to run. */
    int queuedOperations() {
        return queuedOperations.get();
    }

    private void enqueue(Runnable task) {
        inbox.add(task);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RuntimeException e) {
                // The executor is shut down: the server is stopping and the task has nowhere to run.
                drainScheduled.set(false);
                log.debug("{}: event loop rejected work", name, e);
            }
        }
    }

    /** Runs what is queued, then {@code afterBatch}; on the loop's thread. */
    private void drain() {
        drainScheduled.set(false);
        Runnable task;
        while ((task = inbox.poll()) != null) {
            run(task);
        }
        if (!halted && !failed) {
            try {
                afterBatch.run();
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        }
    }

    private void run(Runnable task) {
        if (task instanceof Last) {
            if (!halted) {
                halted = true;
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    log.error("{}: stopping failed", name, e);
                }
            }
            return;
        }
        if (halted && !(task instanceof Operation)) {
            return;
        }
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            if (failed || halted) {
                log.debug("{}: a task failed while stopping", name, e);
            } else {
                fail(e);
            }
        }
    }

    /** A task broke: nothing else touches the engine; the fatal handler stops the loop, whose last task runs next. */
    private void fail(Throwable e) {
        failed = true;
        try {
            fatal.accept(e);
        } catch (RuntimeException | Error again) {
            e.addSuppressed(again);
            log.error("{}: the fatal-error handler failed", name, again);
        }
        Runnable task;
        while ((task = inbox.poll()) != null) {
            run(task);
        }
    }
}
