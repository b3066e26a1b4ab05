package dev.keel.raft.internal.runtime;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The data of a {@link dev.keel.raft.log.EntryType#REQUEST} log entry: a client request as the leader appended it,
 * stamped with the leader's log time. Part of the durable log and of the wire format: extend it only with new kinds
 * or a new version, never by changing what an existing one means. Big-endian:
 * <pre>
 *  0  int8   format version (1)
 *  1  int8   kind (below)
 *  2  int64  log time: the leader's clock when it appended the entry, in ms since the epoch
 * 10  ...    the kind's fields:
 *            COMMAND (1): the command bytes, to the end
 * </pre>
 *
 * @param kind          what the request asks for
 * @param logTimeMillis the stamp
 * @param payload       the command bytes (COMMAND)
 */
record RequestEntry(Kind kind, long logTimeMillis, byte[] payload) {
    static final int VERSION = 1;
    static final int HEADER_BYTES = 10;

    /** The kinds of request; their codes are part of the format. */
    enum Kind {
        /** A command outside any session. */
        COMMAND(1);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    /** A plain command stamped with {@code logTimeMillis}. */
    static byte[] command(long logTimeMillis, byte[] command) {
        return ByteBuffer.allocate(HEADER_BYTES + command.length)
                .put((byte) VERSION).put((byte) Kind.COMMAND.code).putLong(logTimeMillis).put(command).array();
    }

    /**
     * Reads an entry's data.
     *
     * @throws IllegalArgumentException if it is not a request this version understands
     */
    static RequestEntry decode(byte[] data) {
        if (data.length < HEADER_BYTES) {
            throw new IllegalArgumentException("a request entry has at least " + HEADER_BYTES + " bytes, this one "
                    + data.length);
        }
        if (data[0] != VERSION) {
            throw new IllegalArgumentException("request entry format version " + data[0] + " is not supported (this "
                    + "version reads " + VERSION + ")");
        }
        Kind kind = Kind.ofCode(data[1]);
        if (kind == null) {
            throw new IllegalArgumentException("unknown request kind " + data[1]);
        }
        long time = ByteBuffer.wrap(data, 2, 8).getLong();
        return new RequestEntry(kind, time, Arrays.copyOfRange(data, HEADER_BYTES, data.length));
    }
}
