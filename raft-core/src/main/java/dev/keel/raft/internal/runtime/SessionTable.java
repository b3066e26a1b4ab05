package dev.keel.raft.internal.runtime;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The client sessions of the replicated state (Raft thesis §6.3): for each session, the highest sequence number it
 * applied and the results of the commands its client has not acknowledged yet, so that a retried command returns its
 * first result instead of being applied again. Part of Keel's state on every replica and in every snapshot.
 *
 * <p>A session's commands take effect in sequence order, each at most once: a command whose predecessor has not been
 * applied waits (it is refused as out of order and retried by the client), unless the client has given up on the
 * predecessor (acknowledged it without an answer), which is then skipped for good. Sessions expire by log time, so
 * every replica expires the same sessions at the same index. Memory is bounded: at most {@code maxPending} results
 * and about {@code maxCachedBytes} of them per session, and at most {@code maxSessions} sessions.
 *
 * <p>Deterministic and confined to the applier thread.
 */
final class SessionTable {

    /** What to do with a session command. */
    enum Verdict {
        /** Apply it, then {@link #record} its result. */
        APPLY,
        /** It was applied before: answer with the cached result. */
        DUPLICATE,
        /** No such session (expired, closed, or never opened). */
        EXPIRED,
        /** A sequence number the session can never accept (already acknowledged or abandoned, or malformed). */
        BAD_SEQUENCE,
        /** An earlier command of the session has not been applied yet. */
        OUT_OF_ORDER,
        /** The session keeps as many unacknowledged results as it may. */
        FULL
    }

    /**
     * A verdict, with the cached answer for a duplicate.
     *
     * @param verdict what to do
     * @param cached  for {@link Verdict#DUPLICATE}, the first answer
     * @param detail  why, for a refusal
     */
    record Check(Verdict verdict, Cached cached, String detail) {
        static final Check APPLY = new Check(Verdict.APPLY, null, "");
    }

    /**
     * A command's answer, kept until its client acknowledges it.
     *
     * @param sequence the command's sequence number
     * @param index    the log index it was applied at
     * @param result   the state machine's result
     */
    record Cached(long sequence, long index, byte[] result) {
    }

    /** One session; mutable, but its deadline may change only while it is out of {@link #byDeadline}. */
    static final class Session {
        final long id;
        final long timeoutMillis;
        final int maxPending;
        final long maxCachedBytes;
        long lastActive;
        long applied;
        long acknowledged;
        final ArrayDeque<Cached> cache = new ArrayDeque<>();
        long cachedBytes;

        Session(long id, long timeoutMillis, int maxPending, long maxCachedBytes) {
            this.id = id;
            this.timeoutMillis = timeoutMillis;
            this.maxPending = maxPending;
            this.maxCachedBytes = maxCachedBytes;
        }

        long deadline() {
            return lastActive + timeoutMillis;
        }
    }

    private final Map<Long, Session> sessions = new HashMap<>();
    private final TreeSet<Session> byDeadline = new TreeSet<>(
            Comparator.comparingLong(Session::deadline).thenComparingLong(s -> s.id));

    int size() {
        return sessions.size();
    }

    boolean contains(long id) {
        return sessions.containsKey(id);
    }

    /** Removes the sessions idle for longer than their timeout as of log time {@code now}. */
    int expire(long now) {
        int expired = 0;
        while (!byDeadline.isEmpty() && byDeadline.first().deadline() < now) {
            sessions.remove(byDeadline.pollFirst().id);
            expired++;
        }
        return expired;
    }

    /**
     * Opens session {@code id} at log time {@code now} under {@code limits}.
     *
     * @return false if {@code limits.maxSessions()} sessions are open (nothing changed)
     */
    boolean open(long id, RequestEntry.SessionLimits limits, long now) {
        if (sessions.size() >= limits.maxSessions() || sessions.containsKey(id)) {
            return false;
        }
        Session s = new Session(id, limits.timeoutMillis(), limits.maxPending(), limits.maxCachedBytes());
        s.lastActive = now;
        sessions.put(id, s);
        byDeadline.add(s);
        return true;
    }

    /** What to do with command {@code sequence} of session {@code id}, sent with {@code acknowledged}. */
    Check check(long id, long sequence, long acknowledged, long now) {
        if (sequence < 1 || acknowledged < 0 || acknowledged >= sequence) {
            return new Check(Verdict.BAD_SEQUENCE, null, "sequence " + sequence + " with " + acknowledged
                    + " acknowledged is malformed (sequences start at 1 and exceed what is acknowledged)");
        }
        Session s = sessions.get(id);
        if (s == null) {
            return new Check(Verdict.EXPIRED, null, "session " + id + " has expired or was never opened");
        }
        touch(s, now);
        acknowledge(s, acknowledged);
        if (sequence <= s.applied) {
            for (Cached c : s.cache) {
                if (c.sequence() == sequence) {
                    return new Check(Verdict.DUPLICATE, c, "");
                }
            }
            return new Check(Verdict.BAD_SEQUENCE, null, "command " + sequence + " of session " + id
                    + " was acknowledged or abandoned by its client; it was not applied now");
        }
        if (sequence > s.applied + 1 && s.acknowledged < sequence - 1) {
            return new Check(Verdict.OUT_OF_ORDER, null, "command " + sequence + " of session " + id
                    + " arrived before command " + (s.applied + 1));
        }
        if (s.cache.size() >= s.maxPending || s.cachedBytes >= s.maxCachedBytes) {
            return new Check(Verdict.FULL, null, "session " + id + " keeps " + s.cache.size() + " results ("
                    + s.cachedBytes + " bytes) its client has not acknowledged");
        }
        return Check.APPLY;
    }

    /** Command {@code sequence} of session {@code id} was applied at {@code index} with {@code result}. */
    void record(long id, long sequence, long index, byte[] result) {
        Session s = sessions.get(id);
        s.applied = sequence;
        s.cache.addLast(new Cached(sequence, index, result));
        s.cachedBytes += result.length;
    }

    /**
     * Keeps session {@code id} alive and drops the results acknowledged.
     *
     * @return false if there is no such session
     */
    boolean keepAlive(long id, long acknowledged, long now) {
        Session s = sessions.get(id);
        if (s == null) {
            return false;
        }
        touch(s, now);
        acknowledge(s, Math.max(0, acknowledged));
        return true;
    }

    /** Ends session {@code id}, if it exists. */
    void close(long id) {
        Session s = sessions.remove(id);
        if (s != null) {
            byDeadline.remove(s);
        }
    }

    private void touch(Session s, long now) {
        if (now > s.lastActive) {
            byDeadline.remove(s);
            s.lastActive = now;
            byDeadline.add(s);
        }
    }

    private static void acknowledge(Session s, long acknowledged) {
        if (acknowledged <= s.acknowledged) {
            return;
        }
        s.acknowledged = acknowledged;
        while (!s.cache.isEmpty() && s.cache.peekFirst().sequence() <= acknowledged) {
            s.cachedBytes -= s.cache.pollFirst().result().length;
        }
    }

    // ---- snapshots ----------------------------------------------------------------------------------------------

    /**
     * A frozen copy of one session, for a snapshot.
     */
    record Frozen(long id, long timeoutMillis, int maxPending, long maxCachedBytes, long lastActive, long applied,
                  long acknowledged, List<Cached> cache) {
        long serializedSize() {
            long size = 8 + 8 + 4 + 8 + 8 + 8 + 8 + 4;
            for (Cached c : cache) {
                size += 8 + 8 + 4 + c.result().length;
            }
            return size;
        }

        void writeTo(DataOutputStream out) throws IOException {
            out.writeLong(id);
            out.writeLong(timeoutMillis);
            out.writeInt(maxPending);
            out.writeLong(maxCachedBytes);
            out.writeLong(lastActive);
            out.writeLong(applied);
            out.writeLong(acknowledged);
            out.writeInt(cache.size());
            for (Cached c : cache) {
                out.writeLong(c.sequence());
                out.writeLong(c.index());
                out.writeInt(c.result().length);
                out.write(c.result());
            }
        }

        static Frozen readFrom(DataInputStream in) throws IOException {
            long id = in.readLong();
            long timeout = in.readLong();
            int maxPending = in.readInt();
            long maxBytes = in.readLong();
            long lastActive = in.readLong();
            long applied = in.readLong();
            long acknowledged = in.readLong();
            int n = in.readInt();
            if (timeout < 0 || maxPending < 1 || maxBytes < 0 || applied < 0 || acknowledged < 0 || n < 0
                    || n > maxPending) {
                throw new IOException("session " + id + " in the snapshot is damaged");
            }
            List<Cached> cache = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long seq = in.readLong();
                long index = in.readLong();
                int length = in.readInt();
                if (length < 0) {
                    throw new IOException("a cached result of session " + id + " in the snapshot is damaged");
                }
                cache.add(new Cached(seq, index, in.readNBytes(length)));
            }
            return new Frozen(id, timeout, maxPending, maxBytes, lastActive, applied, acknowledged, cache);
        }
    }

    /** Every session, copied (results are immutable and shared), in a stable order. */
    List<Frozen> freeze() {
        List<Frozen> out = new ArrayList<>(sessions.size());
        for (Session s : byDeadline) {
            out.add(new Frozen(s.id, s.timeoutMillis, s.maxPending, s.maxCachedBytes, s.lastActive, s.applied,
                    s.acknowledged, List.copyOf(s.cache)));
        }
        return out;
    }

    /** Replaces every session with the frozen ones. */
    void restore(List<Frozen> frozen) {
        sessions.clear();
        byDeadline.clear();
        for (Frozen f : frozen) {
            Session s = new Session(f.id(), f.timeoutMillis(), f.maxPending(), f.maxCachedBytes());
            s.lastActive = f.lastActive();
            s.applied = f.applied();
            s.acknowledged = f.acknowledged();
            for (Cached c : f.cache()) {
                s.cache.addLast(c);
                s.cachedBytes += c.result().length;
            }
            sessions.put(s.id, s);
            byDeadline.add(s);
        }
    }
}
