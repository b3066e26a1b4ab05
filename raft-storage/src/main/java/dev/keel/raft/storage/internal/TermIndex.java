package dev.keel.raft.storage.internal;

import java.util.Arrays;

/**
 * The term of every entry in the log, stored as runs: a Raft log's term changes only when leadership does, so a
 * whole log usually needs a handful of (first index, term) pairs. Kept in primitive arrays. Not thread-safe.
 */
public final class TermIndex {
    private long[] starts = new long[8];
    private long[] terms = new long[8];
    private int runs;
    private long endIndex; // one past the last index covered

    /** An index covering nothing; the first {@link #append} must be for {@code firstIndex}. */
    public TermIndex(long firstIndex) {
        this.endIndex = firstIndex;
    }

    /** Records the term of the next index, {@code endIndex()}. */
    public void append(long index, long term) {
        if (index != endIndex) {
            throw new IllegalStateException("term index expected index " + endIndex + " but got " + index);
        }
        if (runs == 0 || terms[runs - 1] != term) {
            if (runs == starts.length) {
                starts = Arrays.copyOf(starts, runs * 2);
                terms = Arrays.copyOf(terms, runs * 2);
            }
            starts[runs] = index;
            terms[runs] = term;
            runs++;
        }
        endIndex++;
    }

    /** The term at {@code index}, which the caller has checked is covered. */
    public long termAt(long index) {
        if (runs == 0 || index < starts[0] || index >= endIndex) {
            throw new IndexOutOfBoundsException("no term recorded for index " + index);
        }
        int lo = 0;
        int hi = runs - 1;
        while (lo < hi) { // last run whose start <= index
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return terms[lo];
    }

    /** Forgets indexes from {@code index} on. */
    public void truncateFrom(long index) {
        if (index >= endIndex) {
            return;
        }
        while (runs > 0 && starts[runs - 1] >= index) {
            runs--;
        }
        endIndex = index;
    }

    /** Forgets everything; the next {@link #append} must be for {@code nextIndex}. */
    public void clear(long nextIndex) {
        runs = 0;
        endIndex = nextIndex;
    }

    /** Forgets runs wholly below {@code firstIndex}. */
    public void purgeBelow(long firstIndex) {
        int drop = 0;
        while (drop + 1 < runs && starts[drop + 1] <= firstIndex) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(starts, drop, starts, 0, runs - drop);
            System.arraycopy(terms, drop, terms, 0, runs - drop);
            runs -= drop;
        }
    }

    /** Number of runs held (for tests and memory accounting). */
    public int runCount() {
        return runs;
    }
}
