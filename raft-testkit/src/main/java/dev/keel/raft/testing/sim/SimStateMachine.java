package dev.keel.raft.testing.sim;

import dev.keel.raft.statemachine.ApplyContext;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.statemachine.StateSnapshot;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The simulated application: a few integer registers. Commands are {@code WRITE key value} and
 * {@code CAS key expected new}, and {@code NOTE client sequence} (which changes no register: it lets a pipelining
 * session client check the order its commands take effect in); a query reads one register. Every command carries the
 * id of the client operation it belongs to, unique in the run ({@link #operationId}), with which the invariant
 * checker makes sure that no operation, whether plain, forwarded, duplicated by the network or retried by a session,
 * takes effect at two indexes. Every apply is reported to the invariant checker, and a digest of the applied sequence
 * lets replicas be compared.
 */
final class SimStateMachine implements StateMachine {
    static final byte WRITE = 1;
    static final byte CAS = 2;
    static final byte NOTE = 3;

    /** Told about every command applied. */
    interface ApplyListener {
        /** A command was applied; {@code digest} is the digest of every command applied up to it. */
        void applied(long index, byte[] command, long digest);

        /** The state was replaced by a snapshot of the state after {@code index}. */
        void restored(long index, long digest);
    }

    private final long[] registers;
    private final ApplyListener listener;
    private long lastIndex;
    private long digest = 17;
    private long applied;
    private long logTime;
    private final java.util.Map<Long, Long> lastNote = new java.util.HashMap<>();

    SimStateMachine(int keys, ApplyListener listener) {
        this.registers = new long[keys];
        this.listener = listener;
    }

    static byte[] write(int key, long value, long opId) {
        return ByteBuffer.allocate(21).put(WRITE).putInt(key).putLong(value).putLong(opId).array();
    }

    static byte[] cas(int key, long expected, long value, long opId) {
        return ByteBuffer.allocate(29).put(CAS).putInt(key).putLong(expected).putLong(value).putLong(opId).array();
    }

    /** Command {@code sequence} of session {@code sessionId}, which must take effect in sequence order. */
    static byte[] note(long sessionId, long sequence, long opId) {
        return ByteBuffer.allocate(25).put(NOTE).putLong(sessionId).putLong(sequence).putLong(opId).array();
    }

    static byte[] readQuery(int key) {
        return ByteBuffer.allocate(4).putInt(key).array();
    }

    /**
     * Result of a write or CAS: the log index, and whether it took effect (a CAS may not).
     */
    record WriteResult(long index, boolean applied, long previous) {
        static WriteResult decode(byte[] b) {
            ByteBuffer buf = ByteBuffer.wrap(b);
            return new WriteResult(buf.getLong(), buf.get() == 1, buf.getLong());
        }
    }

    /** Result of a read: the value and the index the state machine had applied when it ran. */
    record ReadResult(long value, long appliedIndex) {
        static ReadResult decode(byte[] b) {
            ByteBuffer buf = ByteBuffer.wrap(b);
            return new ReadResult(buf.getLong(), buf.getLong());
        }
    }

    @Override
    public byte[] apply(ApplyContext context, byte[] command) {
        long index = context.index();
        if (context.logTimeMillis() < logTime) {
            throw new InvariantViolation("log time monotonicity", "log time went back from " + logTime + " to "
                    + context.logTimeMillis() + " at index " + index);
        }
        if (context.logTimeMillis() < SimWallClock.EPOCH_MILLIS - 10_000) {
            throw new InvariantViolation("log time", "command at index " + index + " was applied with log time "
                    + context.logTimeMillis() + ": the leader did not stamp it");
        }
        logTime = context.logTimeMillis();
        lastIndex = index;
        applied++;
        digest = digest * 31 + index;
        digest = digest * 31 + Arrays.hashCode(command);
        // Replicas compare digests at every index: they must also agree on the log time each command was applied at.
        digest = digest * 31 + logTime;
        listener.applied(index, command, digest);
        ByteBuffer c = ByteBuffer.wrap(command);
        byte op = c.get();
        if (op == NOTE) {
            long session = c.getLong();
            long sequence = c.getLong();
            Long last = lastNote.put(session, sequence);
            if (last != null && last >= sequence) {
                throw new InvariantViolation("session order", "command " + sequence + " of session " + session
                        + " took effect at index " + index + " after its command " + last);
            }
            return ByteBuffer.allocate(17).putLong(index).put((byte) 1).putLong(0).array();
        }
        int key = c.getInt();
        long previous = registers[key];
        boolean took;
        if (op == WRITE) {
            registers[key] = c.getLong();
            took = true;
        } else if (op == CAS) {
            long expected = c.getLong();
            long value = c.getLong();
            took = previous == expected;
            if (took) {
                registers[key] = value;
            }
        } else {
            throw new IllegalArgumentException("unknown op " + op);
        }
        return ByteBuffer.allocate(17).putLong(index).put((byte) (took ? 1 : 0)).putLong(previous).array();
    }

    @Override
    public byte[] query(byte[] query) {
        int key = ByteBuffer.wrap(query).getInt();
        return ByteBuffer.allocate(16).putLong(registers[key]).putLong(lastIndex).array();
    }

    @Override
    public StateSnapshot takeSnapshot() {
        // A copy is cheap at this size; a large state would hand out a frozen persistent structure instead.
        long[] frozen = registers.clone();
        long frozenIndex = lastIndex;
        long frozenDigest = digest;
        long frozenApplied = applied;
        long frozenLogTime = logTime;
        java.util.Map<Long, Long> frozenNotes = new java.util.TreeMap<>(lastNote);
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(frozenIndex);
            data.writeLong(frozenLogTime);
            data.writeLong(frozenDigest);
            data.writeLong(frozenApplied);
            data.writeInt(frozen.length);
            for (long r : frozen) {
                data.writeLong(r);
            }
            data.writeInt(frozenNotes.size());
            for (java.util.Map.Entry<Long, Long> e : frozenNotes.entrySet()) {
                data.writeLong(e.getKey());
                data.writeLong(e.getValue());
            }
            data.flush();
        };
    }

    @Override
    public void restoreSnapshot(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        lastIndex = data.readLong();
        logTime = data.readLong();
        digest = data.readLong();
        applied = data.readLong();
        int n = data.readInt();
        if (n != registers.length) {
            throw new IOException("snapshot has " + n + " registers, expected " + registers.length);
        }
        for (int i = 0; i < n; i++) {
            registers[i] = data.readLong();
        }
        lastNote.clear();
        int notes = data.readInt();
        for (int i = 0; i < notes; i++) {
            lastNote.put(data.readLong(), data.readLong());
        }
        listener.restored(lastIndex, digest);
    }

    long lastIndex() {
        return lastIndex;
    }

    long digest() {
        return digest;
    }

    long appliedCount() {
        return applied;
    }

    long[] registers() {
        return registers.clone();
    }

    /** The id of the client operation a command belongs to. */
    static long operationId(byte[] command) {
        return ByteBuffer.wrap(command).getLong(command.length - 8);
    }
}
