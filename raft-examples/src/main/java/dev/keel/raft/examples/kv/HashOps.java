package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.Keyspace.WrongType;
import dev.keel.raft.examples.kv.store.ByteKey;
import dev.keel.raft.examples.kv.store.HashTrieMap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The hash commands, applied to the {@link Keyspace} on the applier thread. A hash's fields live in their own
 * persistent map, so changing one field copies one path of it, and a snapshot still sees the old version.
 */
final class HashOps {
    private HashOps() {
    }

    /** {@code HSET key field value [field value ...]}: the number of fields added; {@code HMSET} (flag) replies OK. */
    static byte[] hset(Keyspace ks, KvCommand c) throws WrongType {
        HashTrieMap<byte[]> fields = orEmpty(ks.hash(c.arg(0)));
        int before = fields.size();
        for (int i = 1; i < c.args().size(); i += 2) {
            fields = fields.put(ByteKey.of(c.arg(i)), c.arg(i + 1));
        }
        ks.putHash(c.arg(0), fields);
        return c.hasFlag(KvCommand.HSET_REPLY_OK) ? Replies.OK : Replies.integer(fields.size() - before);
    }

    static byte[] hdel(Keyspace ks, KvCommand c) throws WrongType {
        HashTrieMap<byte[]> fields = ks.hash(c.arg(0));
        if (fields == null) {
            return Replies.ZERO;
        }
        int before = fields.size();
        for (int i = 1; i < c.args().size(); i++) {
            fields = fields.remove(ByteKey.of(c.arg(i)));
        }
        ks.putHash(c.arg(0), fields);
        return Replies.integer(before - fields.size());
    }

    /** {@code HINCRBY key field delta} with the delta as 8 bytes. */
    static byte[] hincrBy(Keyspace ks, KvCommand c) throws WrongType {
        HashTrieMap<byte[]> fields = orEmpty(ks.hash(c.arg(0)));
        ByteKey field = ByteKey.of(c.arg(1));
        byte[] old = fields.get(field);
        Long next = StringOps.add(old, c.longArg(2));
        if (next == null) {
            return old != null && Numbers.parseLong(old) == null
                    ? Replies.error("ERR hash value is not an integer")
                    : Replies.error("ERR increment or decrement would overflow");
        }
        ks.putHash(c.arg(0), fields.put(field, Long.toString(next).getBytes(StandardCharsets.US_ASCII)));
        return Replies.integer(next);
    }

    static byte[] hget(Keyspace ks, KvCommand c) throws WrongType {
        HashTrieMap<byte[]> fields = ks.hash(c.arg(0));
        return Replies.bulk(fields == null ? null : fields.get(ByteKey.of(c.arg(1))));
    }

    static byte[] hmget(Keyspace ks, KvCommand c) throws WrongType {
        HashTrieMap<byte[]> fields = orEmpty(ks.hash(c.arg(0)));
        List<byte[]> values = new ArrayList<>(c.args().size() - 1);
        for (int i = 1; i < c.args().size(); i++) {
            values.add(fields.get(ByteKey.of(c.arg(i))));
        }
        return Replies.bulkArray(values);
    }

    static byte[] hgetall(Keyspace ks, KvCommand c) throws WrongType {
        HashTrieMap<byte[]> fields = orEmpty(ks.hash(c.arg(0)));
        List<byte[]> flat = new ArrayList<>(2 * fields.size());
        fields.forEach((f, v) -> {
            flat.add(f.bytes());
            flat.add(v);
        });
        return Replies.bulkArray(flat);
    }

    /** {@code HKEYS} ({@code values} false) or {@code HVALS} ({@code values} true). */
    static byte[] hkeysOrVals(Keyspace ks, KvCommand c, boolean values) throws WrongType {
        HashTrieMap<byte[]> fields = orEmpty(ks.hash(c.arg(0)));
        List<byte[]> out = new ArrayList<>(fields.size());
        fields.forEach((f, v) -> out.add(values ? v : f.bytes()));
        return Replies.bulkArray(out);
    }

    static byte[] hlen(Keyspace ks, KvCommand c) throws WrongType {
        HashTrieMap<byte[]> fields = ks.hash(c.arg(0));
        return Replies.integer(fields == null ? 0 : fields.size());
    }

    static byte[] hexists(Keyspace ks, KvCommand c) throws WrongType {
        HashTrieMap<byte[]> fields = ks.hash(c.arg(0));
        return fields != null && fields.containsKey(ByteKey.of(c.arg(1))) ? Replies.ONE : Replies.ZERO;
    }

    private static HashTrieMap<byte[]> orEmpty(HashTrieMap<byte[]> fields) {
        return fields == null ? HashTrieMap.empty() : fields;
    }
}
