package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.Keyspace.WrongType;
import dev.keel.raft.examples.kv.store.KvValue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The string commands, applied to the {@link Keyspace} on the applier thread. Each returns its RESP reply; a command
 * against a key of another type gets {@code WRONGTYPE} and changes nothing, as in Redis.
 */
final class StringOps {
    /**
     * Largest string {@code APPEND} may build. A constant, not the node's {@code max_value_bytes}: every replica must
     * decide the same, whatever its configuration.
     */
    static final int MAX_STRING_BYTES = 4 << 20;

    private StringOps() {
    }

    static byte[] get(Keyspace ks, KvCommand c) throws WrongType {
        return Replies.bulk(ks.string(c.arg(0)));
    }

    /** {@code MGET}: a key of another type reads as nil, as in Redis. */
    static byte[] mget(Keyspace ks, KvCommand c) {
        List<byte[]> values = new ArrayList<>(c.args().size());
        for (byte[] k : c.args()) {
            values.add(ks.get(k) instanceof KvValue.Str s ? s.bytes() : null);
        }
        return Replies.bulkArray(values);
    }

    static byte[] strlen(Keyspace ks, KvCommand c) throws WrongType {
        byte[] v = ks.string(c.arg(0));
        return Replies.integer(v == null ? 0 : v.length);
    }

    /**
     * {@code SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT|KEEPTTL]}; without GET it replaces a value of any type; the
     * old expiry goes unless KEEPTTL.
     */
    static byte[] set(Keyspace ks, KvCommand c) throws WrongType {
        byte[] key = c.arg(0);
        boolean get = c.hasFlag(KvCommand.SET_GET);
        byte[] old = get ? ks.string(key) : null;
        boolean exists = get ? old != null : ks.contains(key);
        boolean write = !(c.hasFlag(KvCommand.SET_NX) && exists) && !(c.hasFlag(KvCommand.SET_XX) && !exists);
        if (write) {
            long expireAt;
            if (c.hasFlag(KvCommand.SET_KEEPTTL)) {
                expireAt = exists ? ks.expireAt(key) : 0;
            } else if (c.hasFlag(KvCommand.SET_TTL) || c.hasFlag(KvCommand.SET_AT)) {
                Long at = expiry(ks, c.longArg(2), c.hasFlag(KvCommand.SET_AT));
                if (at == null) {
                    return Replies.error("ERR invalid expire time in 'set' command");
                }
                expireAt = at;
            } else {
                expireAt = 0;
            }
            if (expireAt != 0 && expireAt <= ks.now()) {
                ks.remove(key); // set and expired at once (EXAT in the past)
            } else {
                ks.setString(key, c.arg(1), expireAt);
            }
        }
        if (get) {
            return Replies.bulk(old);
        }
        return write ? Replies.OK : Replies.NIL;
    }

    /** The absolute expiry time for a relative or absolute one; {@code null} if it overflows. */
    static Long expiry(Keyspace ks, long time, boolean absolute) {
        if (absolute) {
            return time;
        }
        try {
            return Math.addExact(ks.now(), time);
        } catch (ArithmeticException e) {
            return null;
        }
    }

    static byte[] setnx(Keyspace ks, KvCommand c) {
        if (ks.contains(c.arg(0))) {
            return Replies.ZERO;
        }
        ks.setString(c.arg(0), c.arg(1), 0);
        return Replies.ONE;
    }

    /** {@code MSET k v [k v ...]}: arguments in pairs. */
    static byte[] mset(Keyspace ks, KvCommand c) {
        for (int i = 0; i < c.args().size(); i += 2) {
            ks.setString(c.arg(i), c.arg(i + 1), 0);
        }
        return Replies.OK;
    }

    /** {@code MSETNX}: all keys set if none exists, else none. */
    static byte[] msetnx(Keyspace ks, KvCommand c) {
        for (int i = 0; i < c.args().size(); i += 2) {
            if (ks.contains(c.arg(i))) {
                return Replies.ZERO;
            }
        }
        mset(ks, c);
        return Replies.ONE;
    }

    static byte[] getdel(Keyspace ks, KvCommand c) throws WrongType {
        byte[] old = ks.string(c.arg(0));
        if (old != null) {
            ks.remove(c.arg(0));
        }
        return Replies.bulk(old);
    }

    static byte[] append(Keyspace ks, KvCommand c) throws WrongType {
        byte[] old = ks.string(c.arg(0));
        byte[] tail = c.arg(1);
        if (old == null) {
            ks.setString(c.arg(0), tail, 0);
            return Replies.integer(tail.length);
        }
        if ((long) old.length + tail.length > MAX_STRING_BYTES) {
            return Replies.error("ERR string exceeds maximum allowed size (" + MAX_STRING_BYTES + " bytes)");
        }
        byte[] joined = Arrays.copyOf(old, old.length + tail.length);
        System.arraycopy(tail, 0, joined, old.length, tail.length);
        ks.putString(c.arg(0), joined);
        return Replies.integer(joined.length);
    }

    /** {@code INCRBY key delta} with the delta as 8 bytes (INCR, DECR, DECRBY too). */
    static byte[] incrBy(Keyspace ks, KvCommand c) throws WrongType {
        byte[] old = ks.string(c.arg(0));
        Long next = add(old, c.longArg(1));
        if (next == null) {
            return old != null && Numbers.parseLong(old) == null
                    ? Replies.error("ERR value is not an integer or out of range")
                    : Replies.error("ERR increment or decrement would overflow");
        }
        ks.putString(c.arg(0), Long.toString(next).getBytes(StandardCharsets.US_ASCII));
        return Replies.integer(next);
    }

    /** {@code old + delta}, counting a missing value as 0; {@code null} if old is no integer or the sum overflows. */
    static Long add(byte[] old, long delta) {
        long current = 0;
        if (old != null) {
            Long parsed = Numbers.parseLong(old);
            if (parsed == null) {
                return null;
            }
            current = parsed;
        }
        try {
            return Math.addExact(current, delta);
        } catch (ArithmeticException e) {
            return null;
        }
    }

    static byte[] cas(Keyspace ks, KvCommand c) throws WrongType {
        byte[] current = ks.string(c.arg(0));
        if (current == null || !Arrays.equals(current, c.arg(1))) {
            return Replies.ZERO;
        }
        ks.setString(c.arg(0), c.arg(2), 0);
        return Replies.ONE;
    }
}
