package dev.keel.raft.examples.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One KV operation with its arguments, in the compact binary form stored in the Raft log (writes) or passed to
 * {@code RaftServer.read} (reads): the operation code, a flags byte, then each argument as a 4-byte big-endian
 * length and its bytes. The format is part of the on-disk log: extend it only compatibly.
 *
 * <p>Immutable; the argument arrays are shared, not copied, and must not be modified.
 */
public final class KvCommand {
    /** SET: only if the key does not exist. */
    public static final int SET_NX = 1;
    /** SET: only if the key exists. */
    public static final int SET_XX = 2;
    /** SET: reply with the old value. */
    public static final int SET_GET = 4;
    /** SET: keep the key's expiry time (KEEPTTL). */
    public static final int SET_KEEPTTL = 8;
    /** SET: a third argument (8 bytes) gives the expiry as milliseconds from the entry's log time (EX, PX). */
    public static final int SET_TTL = 16;
    /** SET: a third argument (8 bytes) gives the expiry as an absolute time in milliseconds (EXAT, PXAT). */
    public static final int SET_AT = 32;
    /** EXPIRE: the time is absolute (EXPIREAT, PEXPIREAT), not relative to the log time. */
    public static final int EXPIRE_AT = 1;
    /** EXPIRE NX: only if the key has no expiry. */
    public static final int EXPIRE_NX = 2;
    /** EXPIRE XX: only if the key has an expiry. */
    public static final int EXPIRE_XX = 4;
    /** EXPIRE GT: only if the new expiry is later than the current one (none counts as never). */
    public static final int EXPIRE_GT = 8;
    /** EXPIRE LT: only if the new expiry is earlier than the current one (none counts as never). */
    public static final int EXPIRE_LT = 16;
    /** TTL: in milliseconds (PTTL). */
    public static final int TTL_MILLIS = 1;
    /** HSET: reply OK instead of the number of fields added (HMSET). */
    public static final int HSET_REPLY_OK = 1;
    /** SCAN: a MATCH pattern follows the count. */
    public static final int SCAN_MATCH = 1;
    /** SCAN: a TYPE name follows (after the pattern, if any). */
    public static final int SCAN_TYPE = 2;

    private final Op op;
    private final int flags;
    private final List<byte[]> args;

    /**
     * @throws IllegalArgumentException if flags do not fit a byte
     */
    public KvCommand(Op op, int flags, List<byte[]> args) {
        this.op = Objects.requireNonNull(op, "op");
        if (flags < 0 || flags > 0xff) {
            throw new IllegalArgumentException("flags must fit in a byte, were " + flags);
        }
        this.flags = flags;
        this.args = List.copyOf(args);
    }

    /** A command without flags. */
    public static KvCommand of(Op op, byte[]... args) {
        return new KvCommand(op, 0, List.of(args));
    }

    /** {@code INCRBY key delta}. */
    public static KvCommand incrBy(byte[] key, long delta) {
        return of(Op.INCRBY, key, longBytes(delta));
    }

    public Op op() {
        return op;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public List<byte[]> args() {
        return args;
    }

    public byte[] arg(int i) {
        return args.get(i);
    }

    /** A long as the 8-byte argument form {@link #longArg} reads. */
    public static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    /** The 8-byte argument {@code i} as a long (INCRBY's delta). */
    public long longArg(int i) {
        byte[] a = args.get(i);
        if (a.length != Long.BYTES) {
            throw new IllegalArgumentException("argument " + i + " of " + op + " must be 8 bytes, was " + a.length);
        }
        return ByteBuffer.wrap(a).getLong();
    }

    /** The binary form. */
    public byte[] encode() {
        int size = 2;
        for (byte[] a : args) {
            size += 4 + a.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put((byte) op.code()).put((byte) flags);
        for (byte[] a : args) {
            buf.putInt(a.length).put(a);
        }
        return buf.array();
    }

    /**
     * Reads the binary form.
     *
     * @throws IllegalArgumentException if the bytes are not a well-formed command
     */
    public static KvCommand decode(byte[] bytes) {
        if (bytes.length < 2) {
            throw new IllegalArgumentException("a command has at least 2 bytes, this one " + bytes.length);
        }
        Op op = Op.ofCode(bytes[0] & 0xff);
        if (op == null) {
            throw new IllegalArgumentException("unknown operation code " + (bytes[0] & 0xff));
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, 2, bytes.length - 2);
        List<byte[]> args = new ArrayList<>(4);
        while (buf.hasRemaining()) {
            if (buf.remaining() < 4) {
                throw new IllegalArgumentException("truncated argument length at byte " + buf.position());
            }
            int len = buf.getInt();
            if (len < 0 || len > buf.remaining()) {
                throw new IllegalArgumentException("argument length " + len + " at byte " + (buf.position() - 4)
                        + " exceeds the " + buf.remaining() + " bytes left");
            }
            byte[] a = new byte[len];
            buf.get(a);
            args.add(a);
        }
        return new KvCommand(op, bytes[1] & 0xff, args);
    }

    @Override
    public String toString() {
        return op + "(flags=" + flags + ", " + args.size() + " args)";
    }
}
