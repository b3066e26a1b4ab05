package dev.keel.raft.examples.kv;

/**
 * Whether an encoded command has the arguments its operation needs. The command table checks what clients send
 * before anything is encoded; this checks again what comes out of the log (or a forwarded request), so a malformed
 * entry gets an error reply instead of an exception on the applier thread.
 */
final class Arity {
    private Arity() {
    }

    static boolean accepts(KvCommand c) {
        int n = c.args().size();
        return switch (c.op()) {
            case SET -> c.hasFlag(KvCommand.SET_TTL) || c.hasFlag(KvCommand.SET_AT)
                    ? n == 3 && c.arg(2).length == Long.BYTES : n == 2;
            case SETNX, APPEND, HGET, HEXISTS -> n == 2;
            case GET, GETDEL, STRLEN, TYPE, KEYS, HGETALL, HKEYS, HVALS, HLEN, PERSIST, TTL -> n == 1;
            case EXPIRE -> n == 2 && c.arg(1).length == Long.BYTES;
            case DBSIZE, DIGEST -> n == 0;
            case CAS -> n == 3;
            case DEL, EXISTS, MGET, FINGERPRINT, EXEC, WRITE_BATCH, READ_BATCH -> n >= 1;
            case MSET, MSETNX -> n >= 2 && n % 2 == 0;
            case HSET -> n >= 3 && n % 2 == 1;
            case HDEL, HMGET -> n >= 2;
            case INCRBY -> n == 2 && c.arg(1).length == Long.BYTES;
            case HINCRBY -> n == 3 && c.arg(2).length == Long.BYTES;
            case SCAN -> n == 2 + Integer.bitCount(c.flags() & (KvCommand.SCAN_MATCH | KvCommand.SCAN_TYPE))
                    && c.arg(0).length == Long.BYTES && c.arg(1).length == Long.BYTES;
        };
    }
}
