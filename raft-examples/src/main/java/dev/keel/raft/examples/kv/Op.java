package dev.keel.raft.examples.kv;

/**
 * The operations of the KV state machine, as encoded in log entries (writes) and read queries. The codes are part of
 * the on-disk log format: never renumber one.
 */
public enum Op {
    /** {@code SET key value}, with the {@link KvCommand#SET_NX}/{@code XX}/{@code GET} flags. */
    SET(1, true),
    /** {@code DEL key...}: the number of keys removed. */
    DEL(2, true),
    /** {@code INCRBY key delta} (INCR, DECR, DECRBY too): the new value. */
    INCRBY(3, true),
    /** {@code CAS key expected new}: 1 if the value was {@code expected} and is now {@code new}, else 0. */
    CAS(4, true),
    // Code 5 was PEER (members' client addresses, for forwarding over RESP): Keel forwards now. Never reuse it; an old
    // log's PEER entries apply as errors, changing nothing.
    /** {@code MSET key value [key value ...]}. */
    MSET(6, true),
    /** {@code MSETNX key value [key value ...]}: 1 if every key was set (none existed), else 0 and none was. */
    MSETNX(7, true),
    /** {@code SETNX key value}: 1 if set, 0 if the key existed. */
    SETNX(8, true),
    /** {@code GETDEL key}: the string, then the key is gone. */
    GETDEL(9, true),
    /** {@code APPEND key value}: the new length. */
    APPEND(14, true),
    /** {@code HSET key field value [field value ...]}: fields added; with {@link KvCommand#HSET_REPLY_OK}, HMSET's OK. */
    HSET(15, true),
    /** {@code HDEL key field...}: fields removed. */
    HDEL(16, true),
    /** {@code HINCRBY key field delta} (delta as 8 bytes): the new value. */
    HINCRBY(17, true),
    /**
     * {@code EXPIRE key time} (8 bytes: milliseconds from the entry's log time, or an absolute time with
     * {@link KvCommand#EXPIRE_AT}; NX/XX/GT/LT as flags): 1 if the expiry was set (or the key deleted, for a time
     * already past), 0 if not. EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT.
     */
    EXPIRE(18, true),
    /** {@code PERSIST key}: 1 if an expiry was removed. */
    PERSIST(19, true),
    /**
     * {@code MULTI ... EXEC}: the first argument lists the watched keys with their {@link Fingerprint}s, the others are
     * encoded commands, reads and writes, run in order as one atomic step ({@link Transaction}).
     */
    EXEC(22, true),
    /** {@code GET key}. */
    GET(10, false),
    /** {@code MGET key...}. */
    MGET(11, false),
    /** {@code EXISTS key...}: how many of the keys exist, duplicates counted. */
    EXISTS(12, false),
    /** {@code RAFT.DIGEST}: the key count and an order-independent hash of every key and value ({@link KvDigest}). */
    DIGEST(13, false),
    /** {@code STRLEN key}. */
    STRLEN(30, false),
    /** {@code DBSIZE}: the number of keys. */
    DBSIZE(31, false),
    /** {@code TYPE key}: string, hash or none. */
    TYPE(32, false),
    /** {@code KEYS pattern}. */
    KEYS(33, false),
    /** {@code SCAN cursor count [pattern] [type]}, cursor and count as 8 bytes each (see {@link KeyOps#scan}). */
    SCAN(34, false),
    /** {@code HGET key field}. */
    HGET(35, false),
    /** {@code HMGET key field...}. */
    HMGET(36, false),
    /** {@code HGETALL key}. */
    HGETALL(37, false),
    /** {@code HLEN key}. */
    HLEN(38, false),
    /** {@code HEXISTS key field}. */
    HEXISTS(39, false),
    /** WATCH: the {@link Fingerprint} of each key's value, nil if absent. */
    FINGERPRINT(40, false),
    /** {@code HKEYS key}. */
    HKEYS(41, false),
    /** {@code HVALS key}. */
    HVALS(42, false),
    /** {@code TTL key} (seconds) or, with {@link KvCommand#TTL_MILLIS}, {@code PTTL}: -2 if absent, -1 if no expiry. */
    TTL(43, false),
    /** Several encoded write commands applied in order as one log entry; the reply frames theirs ({@link Batch}). */
    WRITE_BATCH(20, true),
    /** Several encoded queries answered at one read index; the reply frames theirs ({@link Batch}). */
    READ_BATCH(21, false);

    private static final Op[] BY_CODE = new Op[256];

    static {
        for (Op op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final boolean write;

    Op(int code, boolean write) {
        this.code = code;
        this.write = write;
    }

    /** The byte that stands for this operation in an encoded command. */
    public int code() {
        return code;
    }

    /** Whether the operation changes state (goes through the log) rather than reads it. */
    public boolean isWrite() {
        return write;
    }

    /** The operation with this code, or {@code null}. */
    public static Op ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
