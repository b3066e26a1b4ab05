package dev.keel.raft.testing.sim;

import dev.keel.raft.testing.ManualClock;

import java.util.PriorityQueue;

/**
 * One queue of events in virtual time for a whole simulated cluster. Events run one at a time on the calling
 * thread, in time order, ties broken by submission order, so a run is a pure function of its seed.
 */
public final class SimScheduler {
    private final ManualClock clock = new ManualClock();
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private long seq;
    private Event current;

    /** Something that can die; its events are skipped once it has. */
    public interface Owner {
        /** Whether its events still run; checked when each comes due, so a node's events die with it. */
        boolean alive();

        /** Index of the node this owner belongs to, or -1; for the trace. */
        int node();
    }

    /** The owner of events that never die (the simulation's own). */
    public static final Owner SYSTEM = new Owner() {
        @Override
        public boolean alive() {
            return true;
        }

        @Override
        public int node() {
            return -1;
        }
    };

    private record Event(long time, long seq, Owner owner, String kind, Runnable task) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** Virtual nanoseconds since the start. */
    public long now() {
        return clock.nanos();
    }

    /** The virtual clock, which the scheduler moves to each event's time before running it; never moves back. */
    public ManualClock clock() {
        return clock;
    }

    /** Runs {@code task} at virtual time {@code time} (not before now). */
    public void at(long time, Owner owner, String kind, Runnable task) {
        queue.add(new Event(Math.max(time, now()), seq++, owner, kind, task));
    }

    /** Runs {@code task} {@code delayNanos} from now. */
    public void after(long delayNanos, Owner owner, String kind, Runnable task) {
        at(now() + delayNanos, owner, kind, task);
    }

    /** Time of the next event, or {@code Long.MAX_VALUE} if none. */
    public long nextTime() {
        Event e = queue.peek();
        return e == null ? Long.MAX_VALUE : e.time();
    }

    /** Number of events queued. */
    public int pending() {
        return queue.size();
    }

    /**
     * Runs the next event whose owner is alive.
     *
     * @return the kind of event run and its owner's node, or {@code null} if the queue is empty
     */
    public Ran step() {
        while (true) {
            Event e = queue.poll();
            if (e == null) {
                return null;
            }
            clock.advanceTo(e.time());
            if (!e.owner().alive()) {
                continue;
            }
            current = e;
            try {
                e.task().run();
            } finally {
                current = null;
            }
            return new Ran(e.time(), e.owner().node(), e.kind());
        }
    }

    /** What {@link #step()} ran. */
    public record Ran(long time, int node, String kind) {
    }

    /** Whether an event is running now (for assertions). */
    public boolean inEvent() {
        return current != null;
    }
}
