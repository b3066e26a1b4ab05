package dev.keel.raft.examples.kv;


import dev.keel.raft.examples.kv.store.ByteKey;
import dev.keel.raft.examples.kv.store.HashTrieMap;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.statemachine.StateSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The replicated key-value state: a map from byte-string keys to byte-string values, changed by {@link KvCommand}s
 * from the log and read by queries. Results are RESP2 reply bytes ({@link Replies}).
 *
 * <p>Called by Keel on one thread (its applier), as {@link StateMachine} requires. {@link #apply} never throws: a
 * command it cannot execute (a malformed one, INCR of a non-number) gets an error reply, deterministically on every
 * replica, so a bad command can neither stop the node nor make replicas diverge. Snapshots are O(1): the map is
 * persistent, so {@link #takeSnapshot()} keeps a reference to the current version and writes it out later.
 */
public final class KvStateMachine implements StateMachine {
    private HashTrieMap data = HashTrieMap.EMPTY;
    /** Published for INFO, which runs on network threads. */
    private volatile int keys;

    @Override
    public byte[] apply(long index, byte[] command) {
        KvCommand c;
        try {
            c = KvCommand.decode(command);
        } catch (IllegalArgumentException e) {
            return Replies.error("ERR malformed command in log entry " + index + ": " + e.getMessage());
        }
        byte[] reply;
        if (c.op() == Op.WRITE_BATCH) {
            List<byte[]> replies = new ArrayList<>(c.args().size());
            for (byte[] item : c.args()) {
                replies.add(applyOne(index, item));
            }
            reply = Batch.frame(replies);
        } else {
            reply = applyOne(index, c);
        }
        keys = data.size();
        return reply;
    }

    private byte[] applyOne(long index, byte[] command) {
        try {
            return applyOne(index, KvCommand.decode(command));
        } catch (IllegalArgumentException e) {
            return Replies.error("ERR malformed command in log entry " + index + ": " + e.getMessage());
        }
    }

    private byte[] applyOne(long index, KvCommand c) {
        if (!c.op().isWrite() || c.op() == Op.WRITE_BATCH) {
            return Replies.error("ERR " + c.op() + " in log entry " + index + " is not a single write");
        }
        return switch (c.op()) {
            case SET -> c.args().size() == 2 ? set(c) : arity(c);
            case DEL -> c.args().isEmpty() ? arity(c) : del(c.args());
            case INCRBY -> c.args().size() == 2 && c.arg(1).length == Long.BYTES ? incrBy(c) : arity(c);
            case CAS -> c.args().size() == 3 ? cas(c) : arity(c);
            default -> throw new AssertionError(c.op());
        };
    }

    @Override
    public byte[] query(byte[] query) {
        KvCommand c;
        try {
            c = KvCommand.decode(query);
        } catch (IllegalArgumentException e) {
            return Replies.error("ERR malformed query: " + e.getMessage());
        }
        if (c.op() == Op.READ_BATCH) {
            List<byte[]> replies = new ArrayList<>(c.args().size());
            for (byte[] item : c.args()) {
                replies.add(queryOne(item));
            }
            return Batch.frame(replies);
        }
        return queryOne(c);
    }

    private byte[] queryOne(byte[] query) {
        try {
            return queryOne(KvCommand.decode(query));
        } catch (IllegalArgumentException e) {
            return Replies.error("ERR malformed query: " + e.getMessage());
        }
    }

    private byte[] queryOne(KvCommand c) {
        return switch (c.op()) {
            case GET -> c.args().size() == 1 ? Replies.bulk(data.get(ByteKey.of(c.arg(0)))) : arity(c);
            case MGET -> c.args().isEmpty() ? arity(c) : mget(c.args());
            case EXISTS -> c.args().isEmpty() ? arity(c) : exists(c.args());
            case DIGEST -> c.args().isEmpty() ? KvDigest.of(data).reply() : arity(c);
            default -> Replies.error("ERR " + c.op() + " is not a single read");
        };
    }

    /** The number of keys, as of the last applied command; safe to call from any thread. */
    public int keyCount() {
        return keys;
    }

    @Override
    public StateSnapshot takeSnapshot() {
        return new KvSnapshot(data);
    }

    @Override
    public void restoreSnapshot(InputStream in) throws IOException {
        KvSnapshot.State state = KvSnapshot.read(in);
        data = state.data();
        keys = data.size();
    }

    private byte[] set(KvCommand c) {
        ByteKey key = ByteKey.of(c.arg(0));
        byte[] old = data.get(key);
        boolean write = !(c.hasFlag(KvCommand.SET_NX) && old != null) && !(c.hasFlag(KvCommand.SET_XX) && old == null);
        if (write) {
            data = data.put(key, c.arg(1));
        }
        if (c.hasFlag(KvCommand.SET_GET)) {
            return Replies.bulk(old);
        }
        return write ? Replies.OK : Replies.NIL;
    }

    private byte[] del(List<byte[]> keyArgs) {
        int removed = 0;
        for (byte[] k : keyArgs) {
            HashTrieMap after = data.remove(ByteKey.of(k));
            if (after != data) {
                removed++;
                data = after;
            }
        }
        return Replies.integer(removed);
    }

    private byte[] incrBy(KvCommand c) {
        ByteKey key = ByteKey.of(c.arg(0));
        long delta = c.longArg(1);
        byte[] old = data.get(key);
        long current = 0;
        if (old != null) {
            Long parsed = Numbers.parseLong(old);
            if (parsed == null) {
                return Replies.error("ERR value is not an integer or out of range");
            }
            current = parsed;
        }
        long next;
        try {
            next = Math.addExact(current, delta);
        } catch (ArithmeticException e) {
            return Replies.error("ERR increment or decrement would overflow");
        }
        data = data.put(key, Long.toString(next).getBytes(StandardCharsets.US_ASCII));
        return Replies.integer(next);
    }

    private byte[] cas(KvCommand c) {
        ByteKey key = ByteKey.of(c.arg(0));
        byte[] current = data.get(key);
        if (current == null || !Arrays.equals(current, c.arg(1))) {
            return Replies.ZERO;
        }
        data = data.put(key, c.arg(2));
        return Replies.ONE;
    }

    private byte[] mget(List<byte[]> keyArgs) {
        List<byte[]> values = new ArrayList<>(keyArgs.size());
        for (byte[] k : keyArgs) {
            values.add(data.get(ByteKey.of(k)));
        }
        return Replies.bulkArray(values);
    }

    private byte[] exists(List<byte[]> keyArgs) {
        int n = 0;
        for (byte[] k : keyArgs) {
            if (data.containsKey(ByteKey.of(k))) {
                n++;
            }
        }
        return Replies.integer(n);
    }

    private static byte[] arity(KvCommand c) {
        return Replies.error("ERR wrong number of arguments for " + c.op() + " (" + c.args().size() + ")");
    }
}
