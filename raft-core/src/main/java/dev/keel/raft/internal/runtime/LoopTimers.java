package dev.keel.raft.internal.runtime;

import java.util.PriorityQueue;

/**
 * One-shot timers counted in the event loop's ticks, for work that waits on the loop (session retries, deadlines and
 * keep-alives): no thread and no clock of their own, so a simulation runs them in virtual time like everything else.
 *
 * <p>Confined to the event loop.
 */
final class LoopTimers {
    private final PriorityQueue<Timer> queue = new PriorityQueue<>((a, b) -> a.due != b.due
            ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    /** A scheduled task. */
    static final class Timer {
        private final long due;
        private final long seq;
        private final Runnable task;
        private boolean cancelled;

        private Timer(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }

        /** Keeps the task from running; idempotent. */
        void cancel() {
            cancelled = true;
        }
    }

    /** Ticks since the loop started. */
    long now() {
        return now;
    }

    /** Runs {@code task} on the loop after {@code ticks} ticks (at least one). */
    Timer after(long ticks, Runnable task) {
        Timer t = new Timer(now + Math.max(1, ticks), seq++, task);
        queue.add(t);
        return t;
    }

    /** One tick passed: runs what is due. */
    void tick() {
        now++;
        while (!queue.isEmpty() && queue.peek().due <= now) {
            Timer t = queue.poll();
            if (!t.cancelled) {
                t.task.run();
            }
        }
    }

    /** Drops every timer (the server stops). */
    void clear() {
        queue.clear();
    }
}
