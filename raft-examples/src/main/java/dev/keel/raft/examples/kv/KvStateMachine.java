package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.Keyspace.WrongType;
import dev.keel.raft.statemachine.ApplyContext;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.statemachine.StateSnapshot;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The replicated key-value state: a map from byte-string keys to strings and hashes ({@link Keyspace}), changed by
 * {@link KvCommand}s from the log and read by queries. Results are RESP2 reply bytes ({@link Replies}).
 *
 * <p>Called by Keel on one thread (its applier), as {@link StateMachine} requires. {@link #apply} never throws: a
 * command it cannot execute (a malformed one, INCR of a non-number, a command against a key of another type) gets an
 * error reply, deterministically on every replica, so a bad command can neither stop the node nor make replicas
 * diverge. Snapshots are O(1): the maps are persistent, so {@link #takeSnapshot()} keeps a reference to the current
 * version and writes it out later.
 */
public final class KvStateMachine implements StateMachine {
    private final Keyspace keyspace = new Keyspace();
    private final LongSupplier clock;
    /** The log time of the last applied entry: reads never judge expiry earlier than this. */
    private volatile long logTime;
    /** Published for INFO, which runs on network threads. */
    private volatile int keys;
    private volatile int expiring;

    /** A state machine whose reads judge expiry by the system clock. */
    public KvStateMachine() {
        this(System::currentTimeMillis);
    }

    /**
     * @param clock this node's clock in milliseconds since the epoch, for reads: a read judges expiry at the later of
     *              the last applied entry's log time and this clock (writes use the log time alone)
     */
    public KvStateMachine(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public byte[] apply(ApplyContext context, byte[] command) {
        long index = context.index();
        logTime = Math.max(logTime, context.logTimeMillis());
        keyspace.beginWrite(logTime);
        byte[] reply = applyEntry(index, command);
        keyspace.sweep();
        keys = keyspace.size();
        expiring = keyspace.expires().size();
        return reply;
    }

    private byte[] applyEntry(long index, byte[] command) {
        KvCommand c;
        try {
            c = KvCommand.decode(command);
        } catch (IllegalArgumentException e) {
            return malformed(index, e);
        }
        byte[] reply;
        if (c.op() == Op.WRITE_BATCH) {
            List<byte[]> replies = new ArrayList<>(c.args().size());
            for (byte[] item : c.args()) {
                replies.add(applyItem(index, item));
            }
            reply = Batch.frame(replies);
        } else {
            reply = applyOne(index, c);
        }
        return reply;
    }

    private byte[] applyItem(long index, byte[] command) {
        try {
            return applyOne(index, KvCommand.decode(command));
        } catch (IllegalArgumentException e) {
            return malformed(index, e);
        }
    }

    private byte[] applyOne(long index, KvCommand c) {
        if (!c.op().isWrite() || c.op() == Op.WRITE_BATCH) {
            return Replies.error("ERR " + c.op() + " in log entry " + index + " is not a single write");
        }
        return switch (c.op()) {
            case EXEC -> c.args().isEmpty() ? arity(c) : exec(index, c);
            default -> run(c);
        };
    }

    /** A transaction: every command in order, or none if a watched key changed. */
    private byte[] exec(long index, KvCommand c) {
        List<Transaction.Watch> watches;
        try {
            watches = Transaction.decodeWatches(c.arg(0));
        } catch (IllegalArgumentException e) {
            return malformed(index, e);
        }
        if (!Transaction.watchesHold(keyspace, watches)) {
            return Transaction.ABORTED;
        }
        List<byte[]> replies = new ArrayList<>(c.args().size() - 1);
        for (byte[] item : c.args().subList(1, c.args().size())) {
            KvCommand inner;
            try {
                inner = KvCommand.decode(item);
            } catch (IllegalArgumentException e) {
                replies.add(malformed(index, e));
                continue;
            }
            replies.add(switch (inner.op()) {
                case EXEC, WRITE_BATCH, READ_BATCH, DIGEST ->
                        Replies.error("ERR " + inner.op() + " is not allowed in a transaction");
                default -> run(inner);
            });
        }
        return Replies.array(replies);
    }

    @Override
    public byte[] query(byte[] query) {
        keyspace.beginRead(Math.max(logTime, clock.getAsLong()));
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
        if (c.op().isWrite() || c.op() == Op.READ_BATCH) {
            return Replies.error("ERR " + c.op() + " is not a single read");
        }
        if (c.op() == Op.DIGEST) {
            return c.args().isEmpty() ? KvDigest.of(keyspace.map(), keyspace.expires()).reply() : arity(c);
        }
        return run(c);
    }

    /** Runs one data command, read or write, after checking its arguments' shape. */
    private byte[] run(KvCommand c) {
        if (!Arity.accepts(c)) {
            return arity(c);
        }
        Keyspace ks = keyspace;
        try {
            return switch (c.op()) {
                case SET -> StringOps.set(ks, c);
                case SETNX -> StringOps.setnx(ks, c);
                case MSET -> StringOps.mset(ks, c);
                case MSETNX -> StringOps.msetnx(ks, c);
                case GETDEL -> StringOps.getdel(ks, c);
                case APPEND -> StringOps.append(ks, c);
                case INCRBY -> StringOps.incrBy(ks, c);
                case CAS -> StringOps.cas(ks, c);
                case GET -> StringOps.get(ks, c);
                case MGET -> StringOps.mget(ks, c);
                case STRLEN -> StringOps.strlen(ks, c);
                case DEL -> KeyOps.del(ks, c);
                case EXISTS -> KeyOps.exists(ks, c);
                case TYPE -> KeyOps.type(ks, c);
                case DBSIZE -> KeyOps.dbsize(ks);
                case KEYS -> KeyOps.keys(ks, c);
                case SCAN -> KeyOps.scan(ks, c);
                case FINGERPRINT -> KeyOps.fingerprints(ks, c);
                case HSET -> HashOps.hset(ks, c);
                case HDEL -> HashOps.hdel(ks, c);
                case HINCRBY -> HashOps.hincrBy(ks, c);
                case HGET -> HashOps.hget(ks, c);
                case HMGET -> HashOps.hmget(ks, c);
                case HGETALL -> HashOps.hgetall(ks, c);
                case HKEYS -> HashOps.hkeysOrVals(ks, c, false);
                case HVALS -> HashOps.hkeysOrVals(ks, c, true);
                case HLEN -> HashOps.hlen(ks, c);
                case HEXISTS -> HashOps.hexists(ks, c);
                case EXPIRE -> KeyOps.expire(ks, c);
                case PERSIST -> KeyOps.persist(ks, c);
                case TTL -> KeyOps.ttl(ks, c);
                case EXEC, DIGEST, WRITE_BATCH, READ_BATCH ->
                        Replies.error("ERR " + c.op() + " cannot run here");
            };
        } catch (WrongType e) {
            return Keyspace.WRONGTYPE;
        }
    }

    /** The number of keys, as of the last applied command; safe to call from any thread. */
    public int keyCount() {
        return keys;
    }

    /** The number of keys with an expiry time, as of the last applied command; safe to call from any thread. */
    public int expiringKeyCount() {
        return expiring;
    }

    @Override
    public StateSnapshot takeSnapshot() {
        return new KvSnapshot(new KvSnapshot.State(keyspace.map(), keyspace.expires(), keyspace.sweepCursor(),
                logTime));
    }

    @Override
    public void restoreSnapshot(InputStream in) throws IOException {
        KvSnapshot.State state = KvSnapshot.read(in);
        keyspace.replace(state.data(), state.expires(), state.sweepCursor());
        logTime = state.logTime();
        keys = keyspace.size();
        expiring = keyspace.expires().size();
    }

    private static byte[] malformed(long index, IllegalArgumentException e) {
        return Replies.error("ERR malformed command in log entry " + index + ": " + e.getMessage());
    }

    private static byte[] arity(KvCommand c) {
        return Replies.error("ERR wrong number of arguments for " + c.op() + " (" + c.args().size() + ")");
    }
}
