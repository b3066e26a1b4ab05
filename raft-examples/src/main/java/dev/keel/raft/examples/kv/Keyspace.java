package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.store.ByteKey;
import dev.keel.raft.examples.kv.store.HashTrieMap;
import dev.keel.raft.examples.kv.store.KvValue;

/**
 * The current version of the replicated keyspace, the keys' expiry times, and the typed lookups the commands share.
 * Only the applier thread changes it; {@link #map()} and {@link #expires()} hand out the immutable versions of the
 * moment, which a snapshot or a digest may keep using while the keyspace moves on.
 *
 * <h2>Expiry</h2>
 * A key with an expiry time (milliseconds since the epoch, in log time) is gone once {@link #now()} reaches it: every
 * lookup treats it as absent. While a command from the log runs ({@link #beginWrite}), "now" is the entry's log time,
 * the same on every replica, and a write that meets an expired key removes it for good; a sweep after each entry
 * removes a few more ({@link #sweep}), from a cursor that is part of the state, so every replica holds the same keys
 * at the same index. A read ({@link #beginRead}) uses the later of the last log time and this node's clock, and
 * changes nothing.
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
    /** Keys with an expiry time the sweep looks at after each log entry. */
    static final int SWEEP_PER_ENTRY = 20;

    private HashTrieMap<KvValue> map = HashTrieMap.empty();
    private HashTrieMap<Long> expires = HashTrieMap.empty();
    private long sweepCursor;
    private long now;
    private boolean writing;

    /** A log entry is being applied at {@code logTime}: expired keys met are removed. */
    void beginWrite(long logTime) {
        now = logTime;
        writing = true;
    }

    /** A query runs at {@code time}: expired keys are invisible, nothing changes. */
    void beginRead(long time) {
        now = time;
        writing = false;
    }

    /** The time expiry is judged against, in milliseconds since the epoch. */
    long now() {
        return now;
    }

    HashTrieMap<KvValue> map() {
        return map;
    }

    HashTrieMap<Long> expires() {
        return expires;
    }

    long sweepCursor() {
        return sweepCursor;
    }

    void replace(HashTrieMap<KvValue> all, HashTrieMap<Long> expiries, long cursor) {
        map = all;
        expires = expiries;
        sweepCursor = cursor;
    }

    /** Keys held, expired ones not yet removed included (as Redis's DBSIZE counts them). */
    int size() {
        return map.size();
    }

    /** Whether {@code key} (known to exist) has expired by now. */
    boolean expired(ByteKey key) {
        Long at = expires.get(key);
        return at != null && at <= now;
    }

    KvValue get(byte[] key) {
        ByteKey k = ByteKey.of(key);
        KvValue v = map.get(k);
        if (v != null && expired(k)) {
            if (writing) {
                drop(k);
            }
            return null;
        }
        return v;
    }

    boolean contains(byte[] key) {
        return get(key) != null;
    }

    /** The key's expiry time, 0 if it has none; call only for a key that exists. */
    long expireAt(byte[] key) {
        Long at = expires.get(ByteKey.of(key));
        return at == null ? 0 : at;
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

    /** Changes a string's value, keeping its expiry (INCR, APPEND). */
    void putString(byte[] key, byte[] value) {
        map = map.put(ByteKey.of(key), new KvValue.Str(value));
    }

    /** Sets a string with a new expiry time, 0 for none (SET, MSET, SETNX: the old expiry goes). */
    void setString(byte[] key, byte[] value, long expireAt) {
        ByteKey k = ByteKey.of(key);
        map = map.put(k, new KvValue.Str(value));
        expires = expireAt > 0 ? expires.put(k, expireAt) : expires.remove(k);
    }

    /** Stores a hash, keeping its expiry, or removes the key if the hash is empty (Redis keeps no empty hashes). */
    void putHash(byte[] key, HashTrieMap<byte[]> fields) {
        if (fields.size() == 0) {
            remove(key);
        } else {
            map = map.put(ByteKey.of(key), new KvValue.Hash(fields));
        }
    }

    /** Gives an existing key an expiry time. */
    void expireAt(byte[] key, long at) {
        expires = expires.put(ByteKey.of(key), at);
    }

    /** Removes an existing key's expiry time; whether it had one. */
    boolean persist(byte[] key) {
        HashTrieMap<Long> after = expires.remove(ByteKey.of(key));
        boolean had = after != expires;
        expires = after;
        return had;
    }

    /** Removes {@code key}; whether it was there (and not expired). */
    boolean remove(byte[] key) {
        ByteKey k = ByteKey.of(key);
        boolean live = map.containsKey(k) && !expired(k);
        drop(k);
        return live;
    }

    private void drop(ByteKey k) {
        map = map.remove(k);
        expires = expires.remove(k);
    }

    /**
     * Removes expired keys among the next {@link #SWEEP_PER_ENTRY} that have an expiry time, continuing where the
     * previous sweep stopped: memory is reclaimed as the log moves on even for keys nobody touches again.
     */
    void sweep() {
        if (expires.size() == 0) {
            return;
        }
        java.util.List<ByteKey> due = new java.util.ArrayList<>();
        sweepCursor = expires.scan(sweepCursor, SWEEP_PER_ENTRY, (k, at) -> {
            if (at <= now) {
                due.add(k);
            }
        });
        due.forEach(this::drop);
    }
}
