package dev.keel.raft.examples.kv.store;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * An immutable hash map from {@link ByteKey} to {@code byte[]}: a hash array mapped trie (32 branches per level).
 * {@link #put} and {@link #remove} return a new map that shares all untouched branches with the old one, so an old
 * version stays valid and unchanged for as long as someone holds it. That makes a snapshot of the KV state one
 * reference, taken in O(1), at the price of copying one path (a few small arrays) per write.
 *
 * <p>Thread-safe: instances are immutable. Values are stored by reference; callers must not modify them.
 */
public final class HashTrieMap {
    /** The empty map. */
    public static final HashTrieMap EMPTY = new HashTrieMap(BitmapNode.EMPTY, 0);

    private static final int BITS = 5;
    private static final int MASK = (1 << BITS) - 1;
    /** Shifts 0, 5, ..., 30 consume all 32 hash bits; keys whose hashes are equal share a collision node. */
    private static final int MAX_SHIFT = 30;

    private final Node root;
    private final int size;

    private HashTrieMap(Node root, int size) {
        this.root = root;
        this.size = size;
    }

    /** The number of keys. */
    public int size() {
        return size;
    }

    /** The value of {@code key}, or {@code null} if absent. */
    public byte[] get(ByteKey key) {
        return root.get(key, key.trieHash(), 0);
    }

    /** Whether {@code key} is present. */
    public boolean containsKey(ByteKey key) {
        return get(key) != null;
    }

    /** This map with {@code key} mapped to {@code value} (not null). */
    public HashTrieMap put(ByteKey key, byte[] value) {
        Objects.requireNonNull(value, "value");
        boolean[] added = new boolean[1];
        Node newRoot = root.put(key, key.trieHash(), 0, value, added);
        return newRoot == root ? this : new HashTrieMap(newRoot, added[0] ? size + 1 : size);
    }

    /** This map without {@code key}. */
    public HashTrieMap remove(ByteKey key) {
        Node newRoot = root.remove(key, key.trieHash(), 0);
        if (newRoot == root) {
            return this;
        }
        return new HashTrieMap(newRoot == null ? BitmapNode.EMPTY : newRoot, size - 1);
    }

    /** Calls {@code action} for every entry, in no particular order. */
    public void forEach(BiConsumer<ByteKey, byte[]> action) {
        root.forEach(action);
    }

    private static int index(int hash, int shift) {
        return (hash >>> shift) & MASK;
    }

    private record Leaf(ByteKey key, byte[] value) {
    }

    private abstract static sealed class Node permits BitmapNode, CollisionNode {
        abstract byte[] get(ByteKey key, int hash, int shift);

        /** The node with the key set; {@code this} if nothing changed. Sets {@code added[0]} for a new key. */
        abstract Node put(ByteKey key, int hash, int shift, byte[] value, boolean[] added);

        /** The node without the key; {@code this} if absent; {@code null} if the node became empty. */
        abstract Node remove(ByteKey key, int hash, int shift);

        abstract void forEach(BiConsumer<ByteKey, byte[]> action);
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
        byte[] get(ByteKey key, int hash, int shift) {
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
        Node put(ByteKey key, int hash, int shift, byte[] value, boolean[] added) {
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
        void forEach(BiConsumer<ByteKey, byte[]> action) {
            for (Object s : slots) {
                if (s instanceof Leaf leaf) {
                    action.accept(leaf.key, leaf.value);
                } else {
                    ((Node) s).forEach(action);
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
        byte[] get(ByteKey key, int hash, int shift) {
            if (hash != this.hash) {
                return null;
            }
            int i = find(key);
            return i < 0 ? null : leaves[i].value;
        }

        @Override
        Node put(ByteKey key, int hash, int shift, byte[] value, boolean[] added) {
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
        void forEach(BiConsumer<ByteKey, byte[]> action) {
            for (Leaf leaf : leaves) {
                action.accept(leaf.key, leaf.value);
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
