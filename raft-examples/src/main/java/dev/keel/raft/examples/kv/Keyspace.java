package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.store.ByteKey;
import dev.keel.raft.examples.kv.store.HashTrieMap;
import dev.keel.raft.examples.kv.store.KvValue;

/**
 * The current version of the replicated keyspace and the typed lookups the commands share. Only the applier thread
 * changes it ({@link #put}, {@link #remove}); {@link #map()} hands out the immutable version of the moment, which a
 * snapshot or a digest may keep using while the keyspace moves on.
 *
 * <p>Not thread-safe: confined to Keel's applier thread (queries run there too).
 */
final class Keyspace {
    /** Thrown by the typed lookups; the commands turn it into the WRONGTYPE reply. */
    static final class WrongType extends Exception {
        static final WrongType INSTANCE = new WrongType();

        private WrongType() {
            super("WRONGTYPE Operation against a key holding the wrong kind of value", null, false, false);
        }
    }

    /** Redis's reply for a command applied to a key of another type. */
    static final byte[] WRONGTYPE = Replies.error(WrongType.INSTANCE.getMessage());

    private HashTrieMap<KvValue> map = HashTrieMap.empty();

    HashTrieMap<KvValue> map() {
        return map;
    }

    void replace(HashTrieMap<KvValue> all) {
        map = all;
    }

    int size() {
        return map.size();
    }

    KvValue get(byte[] key) {
        return map.get(ByteKey.of(key));
    }

    boolean contains(byte[] key) {
        return map.containsKey(ByteKey.of(key));
    }

    /** The string at {@code key}, or {@code null} if absent. */
    byte[] string(byte[] key) throws WrongType {
        KvValue v = get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof KvValue.Str s) {
            return s.bytes();
        }
        throw WrongType.INSTANCE;
    }

    /** The hash's fields at {@code key}, or {@code null} if absent. */
    HashTrieMap<byte[]> hash(byte[] key) throws WrongType {
        KvValue v = get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof KvValue.Hash h) {
            return h.fields();
        }
        throw WrongType.INSTANCE;
    }

    void putString(byte[] key, byte[] value) {
        map = map.put(ByteKey.of(key), new KvValue.Str(value));
    }

    /** Stores a hash, or removes the key if the hash is empty (Redis keeps no empty hashes). */
    void putHash(byte[] key, HashTrieMap<byte[]> fields) {
        map = fields.size() == 0 ? map.remove(ByteKey.of(key)) : map.put(ByteKey.of(key), new KvValue.Hash(fields));
    }

    /** Removes {@code key}; whether it was there. */
    boolean remove(byte[] key) {
        HashTrieMap<KvValue> after = map.remove(ByteKey.of(key));
        boolean removed = after != map;
        map = after;
        return removed;
    }
}
