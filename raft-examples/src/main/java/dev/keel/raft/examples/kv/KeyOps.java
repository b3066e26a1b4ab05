package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.store.Glob;
import dev.keel.raft.examples.kv.store.KvValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The commands on keys whatever their type: DEL, EXISTS, TYPE, DBSIZE, KEYS, SCAN, and WATCH's fingerprints. */
final class KeyOps {
    /** Most keys one SCAN call looks at, whatever COUNT asks: bounds the work, and the reply, of one call. */
    static final int MAX_SCAN_COUNT = 100_000;

    private KeyOps() {
    }

    static byte[] del(Keyspace ks, KvCommand c) {
        int removed = 0;
        for (byte[] k : c.args()) {
            if (ks.remove(k)) {
                removed++;
            }
        }
        return Replies.integer(removed);
    }

    /** How many of the keys exist, duplicates counted. */
    static byte[] exists(Keyspace ks, KvCommand c) {
        int n = 0;
        for (byte[] k : c.args()) {
            if (ks.contains(k)) {
                n++;
            }
        }
        return Replies.integer(n);
    }

    static byte[] type(Keyspace ks, KvCommand c) {
        KvValue v = ks.get(c.arg(0));
        return Replies.simple(v == null ? "none" : v.typeName());
    }

    static byte[] dbsize(Keyspace ks) {
        return Replies.integer(ks.size());
    }

    /** {@code KEYS pattern}: walks every key, as Redis does. */
    static byte[] keys(Keyspace ks, KvCommand c) {
        Glob glob = Glob.of(c.arg(0));
        List<byte[]> out = new ArrayList<>();
        ks.map().forEach((k, v) -> {
            if (glob.matches(k.bytes()) && !ks.expired(k)) {
                out.add(k.bytes());
            }
        });
        return Replies.bulkArray(out);
    }

    /**
     * {@code SCAN cursor count [pattern] [type]} (pattern and type present per {@link KvCommand#SCAN_MATCH} and
     * {@link KvCommand#SCAN_TYPE}): looks at up to {@code count} keys from the cursor on and replies the next cursor
     * and those that match.
     */
    static byte[] scan(Keyspace ks, KvCommand c) {
        long cursor = c.longArg(0);
        long count = Math.min(Math.max(c.longArg(1), 1), MAX_SCAN_COUNT);
        int next = 2;
        Glob glob = c.hasFlag(KvCommand.SCAN_MATCH) ? Glob.of(c.arg(next++)) : null;
        String type = c.hasFlag(KvCommand.SCAN_TYPE) ? new String(c.arg(next), StandardCharsets.UTF_8) : null;
        List<byte[]> found = new ArrayList<>();
        long after;
        try {
            after = ks.map().scan(cursor, (int) count, (k, v) -> {
                if ((glob == null || glob.matches(k.bytes())) && (type == null || type.equalsIgnoreCase(v.typeName()))
                        && !ks.expired(k)) {
                    found.add(k.bytes());
                }
            });
        } catch (IllegalArgumentException e) {
            return Replies.error("ERR invalid cursor");
        }
        return Replies.array(List.of(Replies.bulk(Long.toString(after).getBytes(StandardCharsets.US_ASCII)),
                Replies.bulkArray(found)));
    }

    /** {@code TTL} or {@code PTTL}: -2 for a missing key, -1 for one without expiry, else the time left. */
    static byte[] ttl(Keyspace ks, KvCommand c) {
        if (!ks.contains(c.arg(0))) {
            return Replies.integer(-2);
        }
        long at = ks.expireAt(c.arg(0));
        if (at == 0) {
            return Replies.integer(-1);
        }
        long left = Math.max(0, at - ks.now());
        return Replies.integer(c.hasFlag(KvCommand.TTL_MILLIS) ? left : (left + 500) / 1000);
    }

    /** {@code EXPIRE} and its relatives (see {@link Op#EXPIRE}). */
    static byte[] expire(Keyspace ks, KvCommand c) {
        byte[] key = c.arg(0);
        Long at = StringOps.expiry(ks, c.longArg(1), c.hasFlag(KvCommand.EXPIRE_AT));
        if (at == null) {
            return Replies.error("ERR invalid expire time in 'expire' command");
        }
        if (!ks.contains(key)) {
            return Replies.ZERO;
        }
        long current = ks.expireAt(key);
        boolean none = current == 0;
        if ((c.hasFlag(KvCommand.EXPIRE_NX) && !none) || (c.hasFlag(KvCommand.EXPIRE_XX) && none)
                || (c.hasFlag(KvCommand.EXPIRE_GT) && (none || at <= current))
                || (c.hasFlag(KvCommand.EXPIRE_LT) && !none && at >= current)) {
            return Replies.ZERO;
        }
        if (at <= ks.now()) {
            ks.remove(key);
        } else {
            ks.expireAt(key, at);
        }
        return Replies.ONE;
    }

    static byte[] persist(Keyspace ks, KvCommand c) {
        return ks.contains(c.arg(0)) && ks.persist(c.arg(0)) ? Replies.ONE : Replies.ZERO;
    }

    /**
     * The fingerprint of each key's value ({@link Fingerprint}), nil for a missing key: what WATCH remembers and
     * EXEC compares.
     */
    static byte[] fingerprints(Keyspace ks, KvCommand c) {
        List<byte[]> out = new ArrayList<>(c.args().size());
        for (byte[] k : c.args()) {
            KvValue v = ks.get(k);
            out.add(v == null ? Replies.NIL : Replies.integer(Fingerprint.of(v, ks.expireAt(k))));
        }
        return Replies.array(out);
    }
}
