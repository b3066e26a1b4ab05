package dev.keel.raft.testing.linearizability;

import java.util.Arrays;

/**
 * The search's memo: the set of (linearized operations, register state) pairs already visited (Lowe's cache).
 * Reaching a pair a second time cannot lead anywhere new, so the search backs off.
 *
 * <p>Open addressing with linear probing over parallel primitive arrays; the caller supplies a hash of the bitset
 * that it maintains incrementally (XOR of per-operation random keys). A bitset has two regions, each stored
 * trimmed (its leading all-ones words and trailing zero words are implied): the operations that must be linearized,
 * in invocation order, which the search linearizes roughly in that order, so only the few words around its progress
 * are stored; and the UNKNOWN operations, most of which are never linearized and would otherwise keep the first
 * region from being trimmed. Entries thus stay a few words long even for histories of many thousand operations.
 *
 * <p>Not thread-safe.
 */
final class StateCache {
    /** {@link #add} result: the pair is new and was stored. */
    static final int ADDED = 1;
    /** {@link #add} result: the pair was already present. */
    static final int PRESENT = 0;
    /** {@link #add} result: storing the pair would exceed the memory limit. */
    static final int FULL = -1;

    private static final int SLOT_BYTES = 2 * Long.BYTES + 5 * Integer.BYTES;
    private static final int MAX_ARENA = Integer.MAX_VALUE - 16;

    private final long memoryLimitBytes;
    private final int splitWord;
    private long[] hashes;
    private long[] states;
    private int[] firstA;
    private int[] lengthA;
    private int[] firstB;
    private int[] lengthB;
    private int[] offsets;
    private long[] arena;
    private int arenaSize;
    private int size;
    private int mask;

    /**
     * @param expectedEntries  a hint for the initial capacity
     * @param memoryLimitBytes the most the tables and the arena may take
     * @param splitWord        the first word of the bitsets' second region
     */
    StateCache(int expectedEntries, long memoryLimitBytes, int splitWord) {
        this.memoryLimitBytes = memoryLimitBytes;
        this.splitWord = splitWord;
        int capacity = Integer.highestOneBit(Math.max(64, Math.min(1 << 20, expectedEntries * 2)) - 1) << 1;
        allocate(capacity);
        this.arena = new long[Math.max(256, Math.min(1 << 20, expectedEntries * 2))];
    }

    /** Number of pairs stored. */
    int size() {
        return size;
    }

    /**
     * Adds the pair ({@code bits}, {@code state}) unless present.
     *
     * @param bits     the linearized set; not retained
     * @param bitsHash a hash of {@code bits}, equal for equal sets
     * @param state    the search state after those operations (the register's, and anything else the search's
     *                 future depends on)
     * @return {@link #ADDED}, {@link #PRESENT} or {@link #FULL}
     */
    int add(long[] bits, long bitsHash, long state) {
        long h = mix(bitsHash ^ mix(state * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
        if (h == 0) {
            h = 1;
        }
        int fromA = firstNotFull(bits, 0, splitWord);
        int lenA = lastNonZero(bits, fromA, splitWord) - fromA + 1;
        int fromB = firstNotFull(bits, splitWord, bits.length);
        int lenB = lastNonZero(bits, fromB, bits.length) - fromB + 1;
        int slot = (int) h & mask;
        while (hashes[slot] != 0) {
            if (hashes[slot] == h && states[slot] == state && firstA[slot] == fromA && lengthA[slot] == lenA
                    && firstB[slot] == fromB && lengthB[slot] == lenB
                    && Arrays.equals(arena, offsets[slot], offsets[slot] + lenA, bits, fromA, fromA + lenA)
                    && Arrays.equals(arena, offsets[slot] + lenA, offsets[slot] + lenA + lenB, bits, fromB,
                    fromB + lenB)) {
                return PRESENT;
            }
            slot = (slot + 1) & mask;
        }
        if (!reserve(lenA + lenB)) {
            return FULL;
        }
        System.arraycopy(bits, fromA, arena, arenaSize, lenA);
        System.arraycopy(bits, fromB, arena, arenaSize + lenA, lenB);
        hashes[slot] = h;
        states[slot] = state;
        firstA[slot] = fromA;
        lengthA[slot] = lenA;
        firstB[slot] = fromB;
        lengthB[slot] = lenB;
        offsets[slot] = arenaSize;
        arenaSize += lenA + lenB;
        size++;
        if (size * 2 > hashes.length && !grow()) {
            return FULL;
        }
        return ADDED;
    }

    private static int firstNotFull(long[] bits, int from, int to) {
        while (from < to && bits[from] == -1L) {
            from++;
        }
        return from;
    }

    private static int lastNonZero(long[] bits, int from, int to) {
        int last = to - 1;
        while (last >= from && bits[last] == 0) {
            last--;
        }
        return last;
    }

    /** Bytes held by the tables and the arena. */
    long bytes() {
        return (long) hashes.length * SLOT_BYTES + (long) arena.length * Long.BYTES;
    }

    private boolean reserve(int words) {
        if (arenaSize + (long) words <= arena.length) {
            return true;
        }
        long wanted = Math.max(arenaSize + (long) words, Math.min((long) arena.length * 2, MAX_ARENA));
        if (wanted > MAX_ARENA || bytes() + (wanted - arena.length) * Long.BYTES > memoryLimitBytes) {
            return false;
        }
        arena = Arrays.copyOf(arena, (int) wanted);
        return true;
    }

    private boolean grow() {
        int capacity = hashes.length * 2;
        if (capacity <= 0 || bytes() + (long) hashes.length * SLOT_BYTES > memoryLimitBytes) {
            return false;
        }
        long[] oldHashes = hashes;
        long[] oldStates = states;
        int[] oldFirstA = firstA;
        int[] oldLengthA = lengthA;
        int[] oldFirstB = firstB;
        int[] oldLengthB = lengthB;
        int[] oldOffsets = offsets;
        allocate(capacity);
        for (int i = 0; i < oldHashes.length; i++) {
            if (oldHashes[i] != 0) {
                int slot = (int) oldHashes[i] & mask;
                while (hashes[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                hashes[slot] = oldHashes[i];
                states[slot] = oldStates[i];
                firstA[slot] = oldFirstA[i];
                lengthA[slot] = oldLengthA[i];
                firstB[slot] = oldFirstB[i];
                lengthB[slot] = oldLengthB[i];
                offsets[slot] = oldOffsets[i];
            }
        }
        return true;
    }

    private void allocate(int capacity) {
        hashes = new long[capacity];
        states = new long[capacity];
        firstA = new int[capacity];
        lengthA = new int[capacity];
        firstB = new int[capacity];
        lengthB = new int[capacity];
        offsets = new int[capacity];
        mask = capacity - 1;
    }

    /** Murmur3's 64-bit finalizer: spreads every input bit over the low bits used as the slot. */
    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        x *= 0xC4CEB93FE53B6A2BL;
        x ^= x >>> 33;
        return x;
    }
}
