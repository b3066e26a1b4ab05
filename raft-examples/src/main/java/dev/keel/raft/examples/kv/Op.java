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
    /** {@code GET key}. */
    GET(10, false),
    /** {@code MGET key...}. */
    MGET(11, false),
    /** {@code EXISTS key...}: how many of the keys exist, duplicates counted. */
    EXISTS(12, false),
    /** {@code RAFT.DIGEST}: the key count and an order-independent hash of every key and value ({@link KvDigest}). */
    DIGEST(13, false),
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
