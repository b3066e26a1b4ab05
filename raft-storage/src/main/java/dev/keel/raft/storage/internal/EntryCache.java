package dev.keel.raft.storage.internal;

import dev.keel.raft.log.LogEntry;

/**
 * The most recent entries, in memory, so that a leader sends what it just appended without reading the file back.
 * Holds a suffix of the log, {@code firstIndex() .. endIndex()-1}, in a ring buffer. Entries not yet written by the
 * I/O thread are never evicted (they cannot be read from the file yet); written ones are evicted oldest first once
 * the cache exceeds its byte budget. Not thread-safe.
 */
public final class EntryCache {
    private final long maxBytes;
    private LogEntry[] ring = new LogEntry[1024];
    private long[] seqs = new long[1024]; // the write sequence that puts each entry into the file
    private int head;
    private int size;
    private long firstIndex;
    private long bytes;

    /** An empty cache whose next entry will be {@code nextIndex}. */
    public EntryCache(long maxBytes, long nextIndex) {
        this.maxBytes = maxBytes;
        this.firstIndex = nextIndex;
    }

    public long firstIndex() {
        return firstIndex;
    }

    /** One past the last cached index: always the log's last index + 1. */
    public long endIndex() {
        return firstIndex + size;
    }

    /** Adds the next entry, written to the file by the write operation numbered {@code seq}. */
    public void add(LogEntry entry, long seq) {
        if (entry.index() != endIndex()) {
            throw new IllegalStateException("cache expected index " + endIndex() + " but got " + entry.index());
        }
        if (size == ring.length) {
            grow();
        }
        int slot = (head + size) % ring.length;
        ring[slot] = entry;
        seqs[slot] = seq;
        size++;
        bytes += entry.sizeInBytes();
    }

    /** The cached entry at {@code index}, with {@code firstIndex() <= index < endIndex()}. */
    public LogEntry get(long index) {
        if (index < firstIndex || index >= endIndex()) {
            throw new IndexOutOfBoundsException("index " + index + " is not cached");
        }
        return ring[(int) ((head + (index - firstIndex)) % ring.length)];
    }

    /** Drops entries from {@code index} on; the next entry added must be {@code index}. */
    public void truncateFrom(long index) {
        if (index <= firstIndex) {
            clearAll(index);
            return;
        }
        while (endIndex() > index) {
            int slot = (head + size - 1) % ring.length;
            bytes -= ring[slot].sizeInBytes();
            ring[slot] = null;
            size--;
        }
    }

    /** Drops every entry; the next entry added must be {@code nextIndex}, which may lie anywhere. */
    public void clear(long nextIndex) {
        clearAll(nextIndex);
    }

    /** Drops entries below {@code index} (after a prefix purge). */
    public void dropBelow(long index) {
        while (size > 0 && firstIndex < index) {
            dropHead();
        }
        if (size == 0 && firstIndex < index) {
            firstIndex = index;
        }
    }

    /** Evicts the oldest entries while over budget, but only those written by operations up to {@code writtenSeq}. */
    public void evict(long writtenSeq) {
        while (bytes > maxBytes && size > 0 && seqs[head] <= writtenSeq) {
            dropHead();
        }
    }

    private void dropHead() {
        bytes -= ring[head].sizeInBytes();
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        firstIndex++;
    }

    private void clearAll(long nextIndex) {
        while (size > 0) {
            dropHead();
        }
        head = 0;
        firstIndex = nextIndex;
        bytes = 0;
    }

    private void grow() {
        LogEntry[] newRing = new LogEntry[ring.length * 2];
        long[] newSeqs = new long[ring.length * 2];
        for (int i = 0; i < size; i++) {
            newRing[i] = ring[(head + i) % ring.length];
            newSeqs[i] = seqs[(head + i) % ring.length];
        }
        ring = newRing;
        seqs = newSeqs;
        head = 0;
    }
}
