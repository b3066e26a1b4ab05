package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.KvCommand;
import dev.keel.raft.examples.kv.Numbers;
import dev.keel.raft.examples.kv.Op;
import dev.keel.raft.examples.kv.Replies;
import dev.keel.raft.examples.kv.resp.CommandSpec.Flag;
import dev.keel.raft.examples.kv.resp.CommandSpec.Parsed;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The commands on the replicated data: each checks its arguments as Redis does and encodes a {@link KvCommand}; the
 * state machine runs it (on every replica for a write, on this node at a read index for a read).
 */
final class DataCommands {
    static final byte[] NOT_AN_INTEGER = Replies.error("ERR value is not an integer or out of range");
    static final byte[] SYNTAX = Replies.error("ERR syntax error");

    private DataCommands() {
    }

    static void register(CommandRegistry r) {
        strings(r);
        keys(r);
        hashes(r);
    }

    private static void strings(CommandRegistry r) {
        r.read("GET", 2, 1, 1, 1, "string", "Returns the string value of a key.", "1.0.0",
                a -> of(Op.GET, a.get(1)));
        r.read("MGET", -2, 1, -1, 1, "string", "Atomically returns the string values of one or more keys.", "1.0.0",
                a -> rest(Op.MGET, a, 1));
        r.read("STRLEN", 2, 1, 1, 1, "string", "Returns the length of a string value.", "2.2.0",
                a -> of(Op.STRLEN, a.get(1)));
        r.write("SET", -3, 1, 1, 1, "string", "Sets the string value of a key, ignoring its type; with an expiry.",
                "1.0.0",
                DataCommands::set);
        r.write("SETEX", 4, 1, 1, 1, "string", "Sets the string value and expiration time (seconds) of a key.",
                "2.0.0", a -> setex(a, 1000));
        r.write("PSETEX", 4, 1, 1, 1, "string", "Sets the string value and expiration time (ms) of a key.",
                "2.6.0", a -> setex(a, 1));
        r.write("SETNX", 3, 1, 1, 1, "string", "Sets the string value of a key only when the key doesn't exist.",
                "1.0.0", a -> of(Op.SETNX, a.get(1), a.get(2)));
        r.write("GETSET", 3, 1, 1, 1, "string", "Returns the previous string value of a key after setting it.",
                "1.0.0", a -> Parsed.of(new KvCommand(Op.SET, KvCommand.SET_GET, List.of(a.get(1), a.get(2)))));
        r.write("GETDEL", 2, 1, 1, 1, "string", "Returns the string value of a key after deleting the key.", "6.2.0",
                a -> of(Op.GETDEL, a.get(1)));
        r.write("MSET", -3, 1, -1, 2, "string", "Atomically creates or modifies the string values of one or more keys.",
                "1.0.1", a -> pairs(Op.MSET, a));
        r.write("MSETNX", -3, 1, -1, 2, "string",
                "Atomically sets the values of one or more keys only when none of them exist.", "1.0.1",
                a -> pairs(Op.MSETNX, a));
        r.write("APPEND", 3, 1, 1, 1, "string", "Appends a string to the value of a key. Creates the key if needed.",
                "2.0.0", a -> of(Op.APPEND, a.get(1), a.get(2)));
        r.write("INCR", 2, 1, 1, 1, "string", "Increments the integer value of a key by one.", "1.0.0",
                a -> Parsed.of(KvCommand.incrBy(a.get(1), 1)));
        r.write("DECR", 2, 1, 1, 1, "string", "Decrements the integer value of a key by one.", "1.0.0",
                a -> Parsed.of(KvCommand.incrBy(a.get(1), -1)));
        r.write("INCRBY", 3, 1, 1, 1, "string", "Increments the integer value of a key by a number.", "1.0.0",
                a -> incrBy(a, false));
        r.write("DECRBY", 3, 1, 1, 1, "string", "Decrements a number from the integer value of a key.", "1.0.0",
                a -> incrBy(a, true));
        r.write("CAS", 4, 1, 1, 1, "string",
                "Keel: sets a key to a new value only if it holds the expected one; 1 if it did.", "keel-0.1",
                a -> of(Op.CAS, a.get(1), a.get(2), a.get(3)));
    }

    private static void keys(CommandRegistry r) {
        r.write("DEL", -2, 1, -1, 1, "generic", "Deletes one or more keys.", "1.0.0", a -> rest(Op.DEL, a, 1));
        r.write("UNLINK", -2, 1, -1, 1, "generic", "Deletes one or more keys (as DEL).", "4.0.0",
                a -> rest(Op.DEL, a, 1));
        r.write("EXPIRE", -3, 1, 1, 1, "generic", "Sets the expiration time of a key in seconds.", "1.0.0",
                a -> expire(a, 1000, false));
        r.write("PEXPIRE", -3, 1, 1, 1, "generic", "Sets the expiration time of a key in milliseconds.", "2.6.0",
                a -> expire(a, 1, false));
        r.write("EXPIREAT", -3, 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix timestamp.",
                "1.2.0", a -> expire(a, 1000, true));
        r.write("PEXPIREAT", -3, 1, 1, 1, "generic",
                "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0",
                a -> expire(a, 1, true));
        r.write("PERSIST", 2, 1, 1, 1, "generic", "Removes the expiration time of a key.", "2.2.0",
                a -> of(Op.PERSIST, a.get(1)));
        r.read("TTL", 2, 1, 1, 1, "generic", "Returns the expiration time in seconds of a key.", "1.0.0",
                a -> of(Op.TTL, a.get(1)));
        r.read("PTTL", 2, 1, 1, 1, "generic", "Returns the expiration time in milliseconds of a key.", "2.6.0",
                a -> Parsed.of(new KvCommand(Op.TTL, KvCommand.TTL_MILLIS, List.of(a.get(1)))));
        r.read("EXISTS", -2, 1, -1, 1, "generic", "Determines whether one or more keys exist.", "1.0.0",
                a -> rest(Op.EXISTS, a, 1));
        r.read("TYPE", 2, 1, 1, 1, "generic", "Determines the type of value stored at a key.", "1.0.0",
                a -> of(Op.TYPE, a.get(1)));
        r.read("DBSIZE", 1, 0, 0, 0, "server", "Returns the number of keys in the database.", "1.0.0",
                a -> of(Op.DBSIZE));
        r.read("KEYS", 2, 0, 0, 0, "generic", "Returns all key names that match a pattern (walks every key).",
                "1.0.0", a -> of(Op.KEYS, a.get(1)));
        r.read("SCAN", -2, 0, 0, 0, "generic", "Iterates over the key names in the database.", "2.8.0",
                DataCommands::scan);
        r.read("RAFT.DIGEST", 1, 0, 0, 0, "cluster",
                "Keel: the key count and a hash of the whole state, to compare replicas (walks every key).",
                "keel-0.1", a -> of(Op.DIGEST), Flag.ADMIN);
    }

    private static void hashes(CommandRegistry r) {
        r.write("HSET", -4, 1, 1, 1, "hash", "Creates or modifies the value of a field in a hash.", "2.0.0",
                a -> hset(a, 0));
        r.write("HMSET", -4, 1, 1, 1, "hash", "Sets the values of multiple fields (as HSET, replying OK).", "2.0.0",
                a -> hset(a, KvCommand.HSET_REPLY_OK));
        r.write("HDEL", -3, 1, 1, 1, "hash", "Deletes one or more fields and their values from a hash.", "2.0.0",
                a -> rest(Op.HDEL, a, 1));
        r.write("HINCRBY", 4, 1, 1, 1, "hash", "Increments the integer value of a field in a hash by a number.",
                "2.0.0", DataCommands::hincrBy);
        r.read("HGET", 3, 1, 1, 1, "hash", "Returns the value of a field in a hash.", "2.0.0",
                a -> of(Op.HGET, a.get(1), a.get(2)));
        r.read("HMGET", -3, 1, 1, 1, "hash", "Returns the values of all fields in a hash.", "2.0.0",
                a -> rest(Op.HMGET, a, 1));
        r.read("HGETALL", 2, 1, 1, 1, "hash", "Returns all fields and values in a hash.", "2.0.0",
                a -> of(Op.HGETALL, a.get(1)));
        r.read("HKEYS", 2, 1, 1, 1, "hash", "Returns all fields in a hash.", "2.0.0", a -> of(Op.HKEYS, a.get(1)));
        r.read("HVALS", 2, 1, 1, 1, "hash", "Returns all values in a hash.", "2.0.0", a -> of(Op.HVALS, a.get(1)));
        r.read("HLEN", 2, 1, 1, 1, "hash", "Returns the number of fields in a hash.", "2.0.0",
                a -> of(Op.HLEN, a.get(1)));
        r.read("HEXISTS", 3, 1, 1, 1, "hash", "Determines whether a field exists in a hash.", "2.0.0",
                a -> of(Op.HEXISTS, a.get(1), a.get(2)));
    }

    private static Parsed of(Op op, byte[]... args) {
        return Parsed.of(KvCommand.of(op, args));
    }

    private static Parsed rest(Op op, List<byte[]> a, int from) {
        return Parsed.of(new KvCommand(op, 0, a.subList(from, a.size())));
    }

    private static Parsed pairs(Op op, List<byte[]> a) {
        if (a.size() % 2 == 0) {
            return Parsed.error(CommandTable.arityError(a));
        }
        return rest(op, a, 1);
    }

    /** {@code SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]}. */
    private static Parsed set(List<byte[]> a) {
        int flags = 0;
        byte[] time = null;
        for (int i = 3; i < a.size(); i++) {
            String option = text(a.get(i)).toUpperCase(Locale.ROOT);
            int flag = switch (option) {
                case "NX" -> KvCommand.SET_NX;
                case "XX" -> KvCommand.SET_XX;
                case "GET" -> KvCommand.SET_GET;
                case "KEEPTTL" -> KvCommand.SET_KEEPTTL;
                case "EX", "PX", "EXAT", "PXAT" -> option.endsWith("AT") ? KvCommand.SET_AT : KvCommand.SET_TTL;
                default -> 0;
            };
            boolean timed = flag == KvCommand.SET_TTL || flag == KvCommand.SET_AT;
            int expiryFlags = KvCommand.SET_TTL | KvCommand.SET_AT | KvCommand.SET_KEEPTTL;
            if (flag == 0 || (flags & flag) != 0 || ((flag & expiryFlags) != 0 && (flags & expiryFlags) != 0)
                    || (timed && i + 1 >= a.size())) {
                return Parsed.error(SYNTAX);
            }
            if (timed) {
                Object millis = millis(a.get(++i), option.startsWith("P") ? 1 : 1000, "set");
                if (millis instanceof byte[] error) {
                    return Parsed.error(error);
                }
                time = KvCommand.longBytes((Long) millis);
            }
            flags |= flag;
        }
        if ((flags & KvCommand.SET_NX) != 0 && (flags & KvCommand.SET_XX) != 0) {
            return Parsed.error(SYNTAX);
        }
        return Parsed.of(new KvCommand(Op.SET, flags, time == null ? List.of(a.get(1), a.get(2))
                : List.of(a.get(1), a.get(2), time)));
    }

    /**
     * A positive time in {@code unit} milliseconds as milliseconds (a {@code Long}), or the error reply (a
     * {@code byte[]}) Redis gives for a non-number, a time that is not positive, or one that overflows.
     */
    private static Object millis(byte[] arg, long unit, String command) {
        Long n = Numbers.parseLong(arg);
        if (n == null) {
            return NOT_AN_INTEGER;
        }
        if (n <= 0 || n > Long.MAX_VALUE / unit) {
            return Replies.error("ERR invalid expire time in '" + command + "' command");
        }
        return n * unit;
    }

    /** {@code SETEX key seconds value} and {@code PSETEX key milliseconds value}. */
    private static Parsed setex(List<byte[]> a, long unit) {
        Object millis = millis(a.get(2), unit, unit == 1 ? "psetex" : "setex");
        if (millis instanceof byte[] error) {
            return Parsed.error(error);
        }
        return Parsed.of(new KvCommand(Op.SET, KvCommand.SET_TTL, List.of(a.get(1), a.get(3),
                KvCommand.longBytes((Long) millis))));
    }

    /** {@code EXPIRE key time [NX|XX|GT|LT]} in {@code unit} milliseconds, relative or ({@code absolute}) not. */
    private static Parsed expire(List<byte[]> a, long unit, boolean absolute) {
        Long n = Numbers.parseLong(a.get(2));
        if (n == null) {
            return Parsed.error(NOT_AN_INTEGER);
        }
        String name = text(a.get(0)).toLowerCase(Locale.ROOT);
        if (n > Long.MAX_VALUE / unit || n < Long.MIN_VALUE / unit) {
            return Parsed.error(Replies.error("ERR invalid expire time in '" + name + "' command"));
        }
        int flags = absolute ? KvCommand.EXPIRE_AT : 0;
        for (int i = 3; i < a.size(); i++) {
            int flag = switch (text(a.get(i)).toUpperCase(Locale.ROOT)) {
                case "NX" -> KvCommand.EXPIRE_NX;
                case "XX" -> KvCommand.EXPIRE_XX;
                case "GT" -> KvCommand.EXPIRE_GT;
                case "LT" -> KvCommand.EXPIRE_LT;
                default -> 0;
            };
            if (flag == 0) {
                return Parsed.error(Replies.error("ERR Unsupported option " + text(a.get(i))));
            }
            flags |= flag;
        }
        boolean nx = (flags & KvCommand.EXPIRE_NX) != 0;
        if (nx && (flags & (KvCommand.EXPIRE_XX | KvCommand.EXPIRE_GT | KvCommand.EXPIRE_LT)) != 0) {
            return Parsed.error(Replies.error("ERR NX and XX, GT or LT options at the same time are not compatible"));
        }
        if ((flags & KvCommand.EXPIRE_GT) != 0 && (flags & KvCommand.EXPIRE_LT) != 0) {
            return Parsed.error(Replies.error("ERR GT and LT options at the same time are not compatible"));
        }
        // Absolute times before the epoch mean "already past", as in Redis.
        long millis = absolute ? Math.max(n * unit, 0) : n * unit;
        return Parsed.of(new KvCommand(Op.EXPIRE, flags, List.of(a.get(1), KvCommand.longBytes(millis))));
    }

    private static Parsed incrBy(List<byte[]> a, boolean negate) {
        Long delta = Numbers.parseLong(a.get(2));
        if (delta == null) {
            return Parsed.error(NOT_AN_INTEGER);
        }
        if (negate) {
            if (delta == Long.MIN_VALUE) {
                return Parsed.error(Replies.error("ERR decrement would overflow"));
            }
            delta = -delta;
        }
        return Parsed.of(KvCommand.incrBy(a.get(1), delta));
    }

    private static Parsed hset(List<byte[]> a, int flags) {
        if (a.size() % 2 == 1) {
            return Parsed.error(CommandTable.arityError(a));
        }
        return Parsed.of(new KvCommand(Op.HSET, flags, a.subList(1, a.size())));
    }

    private static Parsed hincrBy(List<byte[]> a) {
        Long delta = Numbers.parseLong(a.get(3));
        if (delta == null) {
            return Parsed.error(NOT_AN_INTEGER);
        }
        return of(Op.HINCRBY, a.get(1), a.get(2), KvCommand.longBytes(delta));
    }

    /** {@code SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]}. */
    private static Parsed scan(List<byte[]> a) {
        Long cursor = Numbers.parseLong(a.get(1));
        if (cursor == null || cursor < 0) {
            return Parsed.error(Replies.error("ERR invalid cursor"));
        }
        long count = 10;
        byte[] pattern = null;
        byte[] type = null;
        for (int i = 2; i < a.size(); i += 2) {
            if (i + 1 >= a.size()) {
                return Parsed.error(SYNTAX);
            }
            String option = text(a.get(i)).toUpperCase(Locale.ROOT);
            switch (option) {
                case "MATCH" -> pattern = a.get(i + 1);
                case "TYPE" -> type = a.get(i + 1);
                case "COUNT" -> {
                    Long n = Numbers.parseLong(a.get(i + 1));
                    if (n == null) {
                        return Parsed.error(NOT_AN_INTEGER);
                    }
                    if (n < 1) {
                        return Parsed.error(SYNTAX);
                    }
                    count = n;
                }
                default -> {
                    return Parsed.error(SYNTAX);
                }
            }
        }
        List<byte[]> args = new ArrayList<>(4);
        args.add(KvCommand.longBytes(cursor));
        args.add(KvCommand.longBytes(count));
        int flags = 0;
        if (pattern != null) {
            args.add(pattern);
            flags |= KvCommand.SCAN_MATCH;
        }
        if (type != null) {
            args.add(type);
            flags |= KvCommand.SCAN_TYPE;
        }
        return Parsed.of(new KvCommand(Op.SCAN, flags, args));
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The flags of a data command. */
    static Set<Flag> flags(boolean write, Flag... extra) {
        Set<Flag> f = EnumSet.of(write ? Flag.WRITE : Flag.READONLY);
        f.addAll(List.of(extra));
        return f;
    }
}
