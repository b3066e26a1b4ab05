package dev.keel.raft.testing.sim;

import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.statemachine.StateSnapshot;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A user's {@link StateMachine} as the simulator runs it: every command in the log is the user's command behind an
 * 8-byte operation number (so that an acknowledgement can be traced to its log index), which this strips before the
 * user's machine sees it; every apply is reported to the invariant checker with a digest of the applied sequence,
 * like the built-in registers; results are compared across replicas (a deterministic machine returns the same
 * result at the same index everywhere); a query's answer carries the index the replica had applied; snapshots carry
 * the digest in a small header before the user's own bytes.
 */
final class CheckedStateMachine<S extends StateMachine> implements StateMachine {
    static final int OPERATION_BYTES = Long.BYTES;

    /** What the checker learns from every replica: results per index and which operation went where. */
    interface Observer {
        /** {@code operation} was applied at {@code index} with {@code result}. */
        void applied(long operation, long index, byte[] result);
    }

    private final S user;
    private final SimStateMachine.ApplyListener listener;
    private final Observer observer;
    private long lastIndex;
    private long digest = 17;
    private long applied;

    CheckedStateMachine(S user, SimStateMachine.ApplyListener listener, Observer observer) {
        this.user = user;
        this.listener = listener;
        this.observer = observer;
    }

    static byte[] wrap(long operation, byte[] command) {
        return ByteBuffer.allocate(OPERATION_BYTES + command.length).putLong(operation).put(command).array();
    }

    /** The index a replica had applied when it answered a query, from the answer. */
    static long answeredAt(byte[] answer) {
        return ByteBuffer.wrap(answer).getLong();
    }

    /** The user's part of a query's answer. */
    static byte[] userAnswer(byte[] answer) {
        return Arrays.copyOfRange(answer, Long.BYTES, answer.length);
    }

    S user() {
        return user;
    }

    long digest() {
        return digest;
    }

    long lastIndex() {
        return lastIndex;
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        lastIndex = index;
        applied++;
        digest = digest * 31 + index;
        digest = digest * 31 + Arrays.hashCode(command);
        listener.applied(index, command, digest);
        long operation = ByteBuffer.wrap(command).getLong();
        byte[] result = user.apply(index, Arrays.copyOfRange(command, OPERATION_BYTES, command.length));
        observer.applied(operation, index, result);
        return result;
    }

    @Override
    public byte[] query(byte[] query) {
        byte[] answer = user.query(query);
        byte[] a = answer == null ? new byte[0] : answer;
        return ByteBuffer.allocate(Long.BYTES + a.length).putLong(lastIndex).put(a).array();
    }

    @Override
    public StateSnapshot takeSnapshot() {
        StateSnapshot inner = user.takeSnapshot();
        if (inner == null) {
            return null;
        }
        long frozenIndex = lastIndex;
        long frozenDigest = digest;
        long frozenApplied = applied;
        return new StateSnapshot() {
            @Override
            public void writeTo(java.io.OutputStream out) throws IOException {
                DataOutputStream data = new DataOutputStream(out);
                data.writeLong(frozenIndex);
                data.writeLong(frozenDigest);
                data.writeLong(frozenApplied);
                data.flush();
                inner.writeTo(out);
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    @Override
    public void restoreSnapshot(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        lastIndex = data.readLong();
        digest = data.readLong();
        applied = data.readLong();
        // DataInputStream reads no further than asked: the rest of the stream is the user's.
        user.restoreSnapshot(in);
        listener.restored(lastIndex, digest);
    }
}
