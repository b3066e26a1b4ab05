package dev.keel.raft.storage.internal;

import java.util.Arrays;

/** A growable list of primitive ints: 4 bytes per element where a boxed list would take about 20. */
final class IntArray {
    private int[] values;
    private int size;

    IntArray(int initialCapacity) {
        values = new int[Math.max(4, initialCapacity)];
    }

    int size() {
        return size;
    }

    int get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("position " + i + " of " + size);
        }
        return values[i];
    }

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length + (values.length >> 1) + 1);
        }
        values[size++] = value;
    }

    /** Keeps the first {@code newSize} elements. */
    void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IndexOutOfBoundsException("cannot truncate " + size + " elements to " + newSize);
        }
        size = newSize;
    }
}
