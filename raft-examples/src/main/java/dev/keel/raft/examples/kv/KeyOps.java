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
            if (glob.matches(k.bytes())) {
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
                if ((glob == null || glob.matches(k.bytes())) && (type == null || type.equalsIgnoreCase(v.typeName()))) {
                    found.add(k.bytes());
                }
            });
        } catch (IllegalArgumentException e) {
            return Replies.error("ERR invalid cursor");
        }
        return Replies.array(List.of(Replies.bulk(Long.toString(after).getBytes(StandardCharsets.US_ASCII)),
                Replies.bulkArray(found)));
    }

    /**
     * The fingerprint of each key's value ({@link Fingerprint}), nil for a missing key: what WATCH remembers and
     * EXEC compares.
     */
    static byte[] fingerprints(Keyspace ks, KvCommand c) {
        List<byte[]> out = new ArrayList<>(c.args().size());
        for (byte[] k : c.args()) {
            KvValue v = ks.get(k);
            out.add(v == null ? Replies.NIL : Replies.integer(Fingerprint.of(v)));
        }
        return Replies.array(out);
    }
}
