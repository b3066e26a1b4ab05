package dev.keel.raft.examples.kv.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A map key made of bytes, compared by content, with its hash computed once.
 *
 * <p>The array is owned by the key: callers must not change it after construction.
 */
public final class ByteKey {
    private final byte[] bytes;
    private final int hash;

    private ByteKey(byte[] bytes, int hash) {
        this.bytes = bytes;
        this.hash = hash;
    }

    /** A key over {@code bytes}, which the key now owns. */
    public static ByteKey of(byte[] bytes) {
        return new ByteKey(bytes, spread(Arrays.hashCode(bytes)));
    }

    /** A key over the UTF-8 bytes of {@code text}. */
    public static ByteKey of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The key's bytes; do not modify them. */
    public byte[] bytes() {
        return bytes;
    }

    /** The spread hash used by the trie: every bit of it picks a branch somewhere. */
    int trieHash() {
        return hash;
    }

    // Arrays.hashCode leaves similar keys ("key:1", "key:2") differing only in low bits; mixing spreads them over the
    // whole word so that every trie level branches well.
    private static int spread(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
