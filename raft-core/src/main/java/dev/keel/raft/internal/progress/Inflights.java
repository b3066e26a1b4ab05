package dev.keel.raft.internal.progress;

/**
 * The AppendEntries messages sent to one follower and not yet acknowledged, as a ring of the last index each
 * carried. Bounded: when full, the leader stops sending to that follower until acknowledgements free room.
 */
public final class Inflights {
    private final long[] lastIndexes;
    private int start;
    private int count;

    public Inflights(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("in-flight capacity must be >= 1, was " + capacity);
        }
        this.lastIndexes = new long[capacity];
    }

    public boolean isFull() {
        return count == lastIndexes.length;
    }

    public int count() {
        return count;
    }

    /**
     * Records a message that carried entries up to {@code lastIndex}.
     *
     * @throws IllegalStateException if full, or if {@code lastIndex} does not increase
     */
    public void add(long lastIndex) {
        if (isFull()) {
            throw new IllegalStateException("in-flight window is full (" + count + " messages)");
        }
        if (count > 0 && lastIndex <= lastIndexes[(start + count - 1) % lastIndexes.length]) {
            throw new IllegalStateException("in-flight indexes must increase: " + lastIndex + " after "
                    + lastIndexes[(start + count - 1) % lastIndexes.length]);
        }
        lastIndexes[(start + count) % lastIndexes.length] = lastIndex;
        count++;
    }

    /** Frees every message whose entries are all at or below {@code index} (acknowledged). */
    public void freeTo(long index) {
        while (count > 0 && lastIndexes[start] <= index) {
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    public void reset() {
        start = 0;
        count = 0;
    }
}
