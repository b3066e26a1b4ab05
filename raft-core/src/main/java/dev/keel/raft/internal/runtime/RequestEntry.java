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
 *   COMMAND (1)          the command bytes, to the end
 *   OPEN_SESSION (2)     int64 timeout ms, int32 most sessions, int32 most pending commands per session,
 *                        int64 most bytes of results kept per session: the leader's limits, which every replica
 *                        applies alike (the session's id is the entry's index)
 *   SESSION_COMMAND (3)  int64 session id, int64 sequence, int64 acknowledged, then the command bytes, to the end
 *   KEEP_ALIVE (4)       int64 session id, int64 acknowledged
 *   CLOSE_SESSION (5)    int64 session id
 * </pre>
 *
 * @param kind          what the request asks for
 * @param logTimeMillis the stamp
 * @param sessionId     the session (session kinds), else 0
 * @param sequence      the command's sequence number in its session (SESSION_COMMAND), else 0
 * @param acknowledged  every sequence number up to this one is answered or abandoned by the client (SESSION_COMMAND,
 *                      KEEP_ALIVE), else 0
 * @param limits        the session limits (OPEN_SESSION), else {@code null}
 * @param payload       the command bytes (COMMAND, SESSION_COMMAND), else empty
 */
record RequestEntry(Kind kind, long logTimeMillis, long sessionId, long sequence, long acknowledged,
                    SessionLimits limits, byte[] payload) {
    static final int VERSION = 1;
    static final int HEADER_BYTES = 10;
    private static final byte[] EMPTY = new byte[0];

    /** The kinds of request; their codes are part of the format. */
    enum Kind {
        /** A command outside any session. */
        COMMAND(1),
        /** Opens a session. */
        OPEN_SESSION(2),
        /** A command in a session. */
        SESSION_COMMAND(3),
        /** Keeps an idle session from expiring. */
        KEEP_ALIVE(4),
        /** Ends a session. */
        CLOSE_SESSION(5);

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

    /**
     * What the leader allows a session, fixed when it opens (every replica must apply the same limits, whatever its
     * own configuration says).
     *
     * @param timeoutMillis     the session expires when no request of it was applied for this long in log time
     * @param maxSessions       opening fails while this many sessions are open
     * @param maxPending        most results of unacknowledged commands kept; a command beyond fails until the client
     *                          acknowledges earlier ones
     * @param maxCachedBytes    most bytes of such results kept (one result may exceed it on its own)
     */
    record SessionLimits(long timeoutMillis, int maxSessions, int maxPending, long maxCachedBytes) {
    }

    /** A plain command stamped with {@code logTimeMillis}. */
    static byte[] command(long logTimeMillis, byte[] command) {
        return header(Kind.COMMAND, logTimeMillis, command.length).put(command).array();
    }

    static byte[] openSession(long logTimeMillis, SessionLimits l) {
        return header(Kind.OPEN_SESSION, logTimeMillis, 24).putLong(l.timeoutMillis()).putInt(l.maxSessions())
                .putInt(l.maxPending()).putLong(l.maxCachedBytes()).array();
    }

    static byte[] sessionCommand(long logTimeMillis, long sessionId, long sequence, long acknowledged,
                                 byte[] command) {
        return header(Kind.SESSION_COMMAND, logTimeMillis, 24 + command.length).putLong(sessionId).putLong(sequence)
                .putLong(acknowledged).put(command).array();
    }

    static byte[] keepAlive(long logTimeMillis, long sessionId, long acknowledged) {
        return header(Kind.KEEP_ALIVE, logTimeMillis, 16).putLong(sessionId).putLong(acknowledged).array();
    }

    static byte[] closeSession(long logTimeMillis, long sessionId) {
        return header(Kind.CLOSE_SESSION, logTimeMillis, 8).putLong(sessionId).array();
    }

    private static ByteBuffer header(Kind kind, long logTimeMillis, int bodyBytes) {
        return ByteBuffer.allocate(HEADER_BYTES + bodyBytes).put((byte) VERSION).put((byte) kind.code)
                .putLong(logTimeMillis);
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
        ByteBuffer b = ByteBuffer.wrap(data);
        b.position(2);
        long time = b.getLong();
        try {
            return switch (kind) {
                case COMMAND -> new RequestEntry(kind, time, 0, 0, 0, null, rest(data, b));
                case OPEN_SESSION -> new RequestEntry(kind, time, 0, 0, 0,
                        new SessionLimits(b.getLong(), b.getInt(), b.getInt(), b.getLong()), EMPTY);
                case SESSION_COMMAND -> {
                    long id = b.getLong();
                    long seq = b.getLong();
                    long ack = b.getLong();
                    yield new RequestEntry(kind, time, id, seq, ack, null, rest(data, b));
                }
                case KEEP_ALIVE -> new RequestEntry(kind, time, b.getLong(), 0, b.getLong(), null, EMPTY);
                case CLOSE_SESSION -> new RequestEntry(kind, time, b.getLong(), 0, 0, null, EMPTY);
            };
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("a " + kind + " request entry of " + data.length + " bytes is cut short");
        }
    }

    private static byte[] rest(byte[] data, ByteBuffer b) {
        return Arrays.copyOfRange(data, b.position(), data.length);
    }
}
