package dev.keel.raft.transport.netty.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded multi-producer queue that never blocks: {@link #offer} returns false when full. Lock-free, so that
 * {@code Transport.send} cannot stall behind the event loop draining it. Thread-safe.
 *
 * <p>The bound is kept with a separate counter: a producer first reserves a slot, then links the element, so the
 * queue may briefly hold fewer elements than the counter says, never more than the bound.
 */
final class BoundedMessageQueue<T> {
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    BoundedMessageQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Adds {@code element} unless the queue is full; never blocks. */
    boolean offer(T element) {
        int current;
        do {
            current = size.get();
            if (current >= capacity) {
                return false;
            }
        } while (!size.compareAndSet(current, current + 1));
        queue.offer(element);
        return true;
    }

    /** The head, or null if empty. */
    T poll() {
        T element = queue.poll();
        if (element != null) {
            size.decrementAndGet();
        }
        return element;
    }

    /** Removes everything and returns how many elements were removed. */
    int clear() {
        int n = 0;
        while (poll() != null) {
            n++;
        }
        return n;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    int size() {
        return size.get();
    }
}
