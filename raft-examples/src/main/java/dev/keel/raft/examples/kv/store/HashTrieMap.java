package dev.keel.raft.examples.kv.store;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * An immutable hash map from {@link ByteKey} to values of type {@code V}: a hash array mapped trie (32 branches per level).
 * {@link #put} and {@link #remove} return a new map that shares all untouched branches with the old one, so an old
 * version stays valid and unchanged for as long as someone holds it. That makes a snapshot of the KV state one
 * reference, taken in O(1), at the price of copying one path (a few small arrays) per write.
 *
 * <p>Thread-safe: instances are immutable. Values are stored by reference; callers must not modify them.
 */
public final class HashTrieMap<V> {
    private static final HashTrieMap<?> EMPTY = new HashTrieMap<>(BitmapNode.EMPTY, 0);

    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    /** Shifts 0, 5, ..., 30 consume all 32 hash bits; keys whose hashes are equal share a collision node. */
    private static final int MAX_SHIFT = 30;

    private final Node root;
    private final int size;

    /** The empty map. */
    @SuppressWarnings("unchecked")
    public static <V> HashTrieMap<V> empty() {
        return (HashTrieMap<V>) EMPTY;
    }

    private HashTrieMap(Node root, int size) {
        this.root = root;
        this.size = size;
    }

    /** The number of keys. */
    public int size() {
        return size;
    }

    /** The value of {@code key}, or {@code null} if absent. */
    @SuppressWarnings("unchecked")
    public V get(ByteKey key) {
        return (V) root.get(key, key.trieHash(), 0);
    }

    /** Whether {@code key} is present. */
    public boolean containsKey(ByteKey key) {
        return get(key) != null;
    }

    /** This map with {@code key} mapped to {@code value} (not null). */
    public HashTrieMap<V> put(ByteKey key, V value) {
        Objects.requireNonNull(value, "value");
        boolean[] added = new boolean[1];
        Node newRoot = root.put(key, key.trieHash(), 0, value, added);
        return newRoot == root ? this : new HashTrieMap<>(newRoot, added[0] ? size + 1 : size);
    }

    /** This map without {@code key}. */
    public HashTrieMap<V> remove(ByteKey key) {
        Node newRoot = root.remove(key, key.trieHash(), 0);
        if (newRoot == root) {
            return this;
        }
        return new HashTrieMap<>(newRoot == null ? BitmapNode.EMPTY : newRoot, size - 1);
    }

    /** Calls {@code action} for every entry, in no particular order. */
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<ByteKey, ? super V> action) {
        root.forEach((BiConsumer<ByteKey, Object>) action);
    }

    /**
     * Calls {@code action} for up to about {@code count} entries from {@code cursor} on, in a fixed order that
     * depends only on the keys' hashes, and returns the cursor to continue from: 0 once every entry was visited.
     * Start with cursor 0. Entries whose keys share a hash are visited together, so a call may visit a few more than
     * {@code count}. The work per call is the trie's depth plus the entries visited.
     *
     * <p>Because the order depends on nothing but the hashes, a scan over changing versions of a map (each call on
     * the version current at that time) visits every key present from its start to its end exactly once, and never
     * visits a key twice; keys added or removed meanwhile may or may not be visited. That is Redis's SCAN guarantee,
     * and a little more.
     *
     * @throws IllegalArgumentException if {@code cursor} is not one this method returns, or {@code count < 1}
     */
    @SuppressWarnings("unchecked")
    public long scan(long cursor, int count, BiConsumer<ByteKey, ? super V> action) {
        if (cursor < 0 || cursor > MAX_CURSOR) {
            throw new IllegalArgumentException("invalid cursor " + cursor);
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        Scan scan = new Scan(cursor, count, (BiConsumer<ByteKey, Object>) action);
        root.scan(scan, 0, true);
        return scan.next;
    }

    /** The largest cursor: the position of the last possible hash. */
    private static final long MAX_CURSOR = (1L << 35) - 1;

    /**
     * A hash's position in the trie's visiting order: its 5-bit chunks, lowest first (the trie branches on the lowest
     * chunk at its root), read as the digits of a 35-bit number, most significant first.
     */
    static long position(int hash) {
        long p = 0;
        for (int shift = 0; shift <= MAX_SHIFT; shift += BITS) {
            p |= (long) index(hash, shift) << (MAX_SHIFT - shift);
        }
        return p;
    }

    /** The digit of a cursor (a {@link #position}) that selects the branch at level {@code shift}. */
    private static int digit(long position, int shift) {
        return (int) (position >>> (MAX_SHIFT - shift)) & MASK;
    }

    /** One scan call's progress. */
    private static final class Scan {
        final long from;
        final BiConsumer<ByteKey, Object> action;
        int left;
        /** Where the next call starts; 0 unless the scan stopped before the end. */
        long next;
        boolean stopped;

        Scan(long from, int count, BiConsumer<ByteKey, Object> action) {
            this.from = from;
            this.left = count;
            this.action = action;
        }

        /** Visits the entries of one hash unless the budget is spent; then records where to resume. */
        void visit(int hash, Leaf... leaves) {
            if (left <= 0) {
                stopped = true;
                next = position(hash);
                return;
            }
            for (Leaf leaf : leaves) {
                action.accept(leaf.key, leaf.value);
            }
            left -= leaves.length;
        }
    }

    private static int index(int hash, int shift) {
        return (hash >>> shift) & MASK;
    }

    private record Leaf(ByteKey key, Object value) {
    }

    private abstract static sealed class Node permits BitmapNode, CollisionNode {
        abstract Object get(ByteKey key, int hash, int shift);

        /** The node with the key set; {@code this} if nothing changed. Sets {@code added[0]} for a new key. */
        abstract Node put(ByteKey key, int hash, int shift, Object value, boolean[] added);

        /** The node without the key; {@code this} if absent; {@code null} if the node became empty. */
        abstract Node remove(ByteKey key, int hash, int shift);

        abstract void forEach(BiConsumer<ByteKey, Object> action);

        /**
         * Visits this node's entries in {@link #position} order, from {@code scan.from} on if {@code bounded} (the
         * node lies on the cursor's path), else all of them, until the scan stops.
         */
        abstract void scan(Scan scan, int shift, boolean bounded);
    }

    /** A trie level: a bitmap of occupied branches and, per branch, a {@link Leaf} or a deeper {@link Node}. */
    private static final class BitmapNode extends Node {
        static final BitmapNode EMPTY = new BitmapNode(0, new Object[0]);

        private final int bitmap;
        private final Object[] slots;

        BitmapNode(int bitmap, Object[] slots) {
            this.bitmap = bitmap;
            this.slots = slots;
        }

        private int slot(int bit) {
            return Integer.bitCount(bitmap & (bit - 1));
        }

        @Override
        Object get(ByteKey key, int hash, int shift) {
            int bit = 1 << index(hash, shift);
            if ((bitmap & bit) == 0) {
                return null;
            }
            Object s = slots[slot(bit)];
            if (s instanceof Leaf leaf) {
                return leaf.key.equals(key) ? leaf.value : null;
            }
            return ((Node) s).get(key, hash, shift + BITS);
        }

        @Override
        Node put(ByteKey key, int hash, int shift, Object value, boolean[] added) {
            int bit = 1 << index(hash, shift);
            int pos = slot(bit);
            if ((bitmap & bit) == 0) {
                added[0] = true;
                Object[] copy = new Object[slots.length + 1];
                System.arraycopy(slots, 0, copy, 0, pos);
                copy[pos] = new Leaf(key, value);
                System.arraycopy(slots, pos, copy, pos + 1, slots.length - pos);
                return new BitmapNode(bitmap | bit, copy);
            }
            Object s = slots[pos];
            Object replacement;
            if (s instanceof Leaf leaf) {
                if (leaf.key.equals(key)) {
                    if (leaf.value == value) {
                        return this;
                    }
                    replacement = new Leaf(key, value);
                } else {
                    added[0] = true;
                    replacement = merge(leaf, leaf.key.trieHash(), new Leaf(key, value), hash, shift + BITS);
                }
            } else {
                Node child = (Node) s;
                Node newChild = child.put(key, hash, shift + BITS, value, added);
                if (newChild == child) {
                    return this;
                }
                replacement = newChild;
            }
            Object[] copy = slots.clone();
            copy[pos] = replacement;
            return new BitmapNode(bitmap, copy);
        }

        @Override
        Node remove(ByteKey key, int hash, int shift) {
            int bit = 1 << index(hash, shift);
            if ((bitmap & bit) == 0) {
                return this;
            }
            int pos = slot(bit);
            Object s = slots[pos];
            Object replacement;
            if (s instanceof Leaf leaf) {
                if (!leaf.key.equals(key)) {
                    return this;
                }
                replacement = null;
            } else {
                Node child = (Node) s;
                Node newChild = child.remove(key, hash, shift + BITS);
                if (newChild == child) {
                    return this;
                }
                replacement = inline(newChild);
            }
            if (replacement != null) {
                Object[] copy = slots.clone();
                copy[pos] = replacement;
                return new BitmapNode(bitmap, copy);
            }
            if (slots.length == 1) {
                return null;
            }
            Object[] copy = new Object[slots.length - 1];
            System.arraycopy(slots, 0, copy, 0, pos);
            System.arraycopy(slots, pos + 1, copy, pos, slots.length - pos - 1);
            return new BitmapNode(bitmap & ~bit, copy);
        }

        /** A child holding a single entry is replaced by that entry, so the trie stays as shallow as on insert. */
        private static Object inline(Node child) {
            if (child instanceof BitmapNode b && b.slots.length == 1 && b.slots[0] instanceof Leaf leaf) {
                return leaf;
            }
            if (child instanceof CollisionNode c && c.leaves.length == 1) {
                return c.leaves[0];
            }
            return child;
        }

        @Override
        void forEach(BiConsumer<ByteKey, Object> action) {
            for (Object s : slots) {
                if (s instanceof Leaf leaf) {
                    action.accept(leaf.key, leaf.value);
                } else {
                    ((Node) s).forEach(action);
                }
            }
        }

        @Override
        void scan(Scan scan, int shift, boolean bounded) {
            int first = bounded ? digit(scan.from, shift) : 0;
            for (int i = 0, bits = bitmap; bits != 0 && !scan.stopped; i++, bits &= bits - 1) {
                int index = Integer.numberOfTrailingZeros(bits);
                if (index < first) {
                    continue;
                }
                boolean onPath = bounded && index == first;
                Object s = slots[i];
                if (s instanceof Leaf leaf) {
                    if (!onPath || position(leaf.key.trieHash()) >= scan.from) {
                        scan.visit(leaf.key.trieHash(), leaf);
                    }
                } else {
                    ((Node) s).scan(scan, shift + BITS, onPath);
                }
            }
        }
    }

    /** Entries whose keys have the same 32-bit hash. */
    private static final class CollisionNode extends Node {
        private final int hash;
        private final Leaf[] leaves;

        CollisionNode(int hash, Leaf[] leaves) {
            this.hash = hash;
            this.leaves = leaves;
        }

        private int find(ByteKey key) {
            for (int i = 0; i < leaves.length; i++) {
                if (leaves[i].key.equals(key)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        Object get(ByteKey key, int hash, int shift) {
            if (hash != this.hash) {
                return null;
            }
            int i = find(key);
            return i < 0 ? null : leaves[i].value;
        }

        @Override
        Node put(ByteKey key, int hash, int shift, Object value, boolean[] added) {
            if (hash != this.hash) {
                added[0] = true;
                return mergeWithNode(this, this.hash, new Leaf(key, value), hash, shift);
            }
            int i = find(key);
            if (i >= 0) {
                if (leaves[i].value == value) {
                    return this;
                }
                Leaf[] copy = leaves.clone();
                copy[i] = new Leaf(key, value);
                return new CollisionNode(hash, copy);
            }
            added[0] = true;
            Leaf[] copy = Arrays.copyOf(leaves, leaves.length + 1);
            copy[leaves.length] = new Leaf(key, value);
            return new CollisionNode(hash, copy);
        }

        @Override
        Node remove(ByteKey key, int hash, int shift) {
            if (hash != this.hash) {
                return this;
            }
            int i = find(key);
            if (i < 0) {
                return this;
            }
            if (leaves.length == 1) {
                return null;
            }
            Leaf[] copy = new Leaf[leaves.length - 1];
            System.arraycopy(leaves, 0, copy, 0, i);
            System.arraycopy(leaves, i + 1, copy, i, leaves.length - i - 1);
            return new CollisionNode(hash, copy);
        }

        @Override
        void forEach(BiConsumer<ByteKey, Object> action) {
            for (Leaf leaf : leaves) {
                action.accept(leaf.key, leaf.value);
            }
        }

        @Override
        void scan(Scan scan, int shift, boolean bounded) {
            if (!bounded || position(hash) >= scan.from) {
                scan.visit(hash, leaves);
            }
        }
    }

    /** A node at level {@code shift} holding two leaves with different keys. */
    private static Node merge(Leaf a, int hashA, Leaf b, int hashB, int shift) {
        if (hashA == hashB) {
            return new CollisionNode(hashA, new Leaf[] {a, b});
        }
        return mergeWithNode(a, hashA, b, hashB, shift);
    }

    /**
     * A node at level {@code shift} holding {@code existing} (a leaf or a collision node, whose hash is
     * {@code hashA}) and the leaf {@code b}, whose hash differs.
     */
    private static Node mergeWithNode(Object existing, int hashA, Leaf b, int hashB, int shift) {
        if (shift > MAX_SHIFT) {
            throw new IllegalStateException("different hashes " + hashA + " and " + hashB + " agree on every level");
        }
        int ia = index(hashA, shift);
        int ib = index(hashB, shift);
        if (ia == ib) {
            Node child = existing instanceof Leaf leaf
                    ? merge(leaf, hashA, b, hashB, shift + BITS)
                    : mergeWithNode(existing, hashA, b, hashB, shift + BITS);
            return new BitmapNode(1 << ia, new Object[] {child});
        }
        Object[] pair = ia < ib ? new Object[] {existing, b} : new Object[] {b, existing};
        return new BitmapNode((1 << ia) | (1 << ib), pair);
    }
}
