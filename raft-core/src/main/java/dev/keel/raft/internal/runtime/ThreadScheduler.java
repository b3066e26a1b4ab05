package dev.keel.raft.internal.runtime;

import dev.keel.raft.spi.RaftScheduler;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link RaftScheduler}: an event-loop thread, an applier thread and a background thread per server,
 * daemons named after the server.
 */
public final class ThreadScheduler implements RaftScheduler {
    private final ScheduledThreadPoolExecutor loop;
    private final ExecutorService applier;
    private final ExecutorService background;
    private final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public ThreadScheduler(String name) {
        this.loop = new ScheduledThreadPoolExecutor(1, daemon("keel-" + name + "-raft"));
        this.loop.setRemoveOnCancelPolicy(true);
        this.applier = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                daemon("keel-" + name + "-apply"));
        this.background = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                daemon("keel-" + name + "-snapshot"));
    }

    private ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            threads.add(t);
            return t;
        };
    }

    /** Whether the calling thread is one of this scheduler's (waiting for them from there would deadlock). */
    public boolean isOwnThread() {
        return threads.contains(Thread.currentThread());
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
    public Executor background() {
        return background;
    }

    @Override
    public Cancellable scheduleAtFixedRate(Duration period, Runnable task) {
        long nanos = period.toNanos();
        ScheduledFuture<?> f = loop.scheduleAtFixedRate(task, nanos, nanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        loop.shutdown();
        applier.shutdown();
        background.shutdown();
    }
}
