package dev.keel.raft.testing.sim;

import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.RaftMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened in a simulation: a running hash of every event (two runs of one seed must agree on it) and the
 * last events in a ring, printed when an invariant fails.
 */
public final class Trace {
    private static final int RING = 400;

    private final Object[] ring = new Object[RING];
    private final long[] times = new long[RING];
    private int next;
    private long count;
    private long hash = 0xcbf29ce484222325L;
    private final List<String> notable = new ArrayList<>();

    private void mix(long v) {
        hash ^= v;
        hash *= 0x100000001b3L;
        hash ^= hash >>> 29;
    }

    private void remember(long time, Object what) {
        ring[next] = what;
        times[next] = time;
        next = (next + 1) % RING;
        count++;
    }

    void message(long time, int to, RaftMessage m) {
        mix(time);
        mix(to);
        mix(m.getClass().getSimpleName().hashCode());
        mix(m.term());
        mix(m.from().hashCode());
        if (m instanceof AppendEntriesRequest a) {
            mix(a.prevLogIndex());
            mix(a.entries().size());
        }
        remember(time, m);
    }

    /** A notable event (role change, crash, fault, client outcome): hashed, kept in the ring and the timeline. */
    void event(long time, String text) {
        mix(time);
        mix(text.hashCode());
        remember(time, text);
        notable.add(formatTime(time) + " " + text);
    }

    /** A routine event: hashed, kept in the ring only. */
    void quiet(long time, String text) {
        mix(time);
        mix(text.hashCode());
        remember(time, text);
    }

    /** The running hash of everything so far. */
    public long hash() {
        return hash;
    }

    /** Number of events recorded. */
    public long count() {
        return count;
    }

    /** The notable events, in order, with their virtual times. */
    public List<String> timeline() {
        return List.copyOf(notable);
    }

    /** The last {@code n} events (at most the ring's size), oldest first, one per line. */
    public String lastEvents(int n) {
        StringBuilder sb = new StringBuilder();
        int total = (int) Math.min(Math.min(n, RING), count);
        for (int i = total; i > 0; i--) {
            int idx = Math.floorMod(next - i, RING);
            sb.append(formatTime(times[idx])).append(' ').append(ring[idx]).append('\n');
        }
        return sb.toString();
    }

    static String formatTime(long nanos) {
        return String.format("%9.3fs", nanos / 1e9);
    }
}
