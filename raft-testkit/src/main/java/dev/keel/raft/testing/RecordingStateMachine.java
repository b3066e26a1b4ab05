package dev.keel.raft.testing;

import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.statemachine.StateSnapshot;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A state machine for tests: it keeps every applied command in order. {@code apply} returns the index as 8 bytes;
 * {@code query} returns the number of commands applied so far as 8 bytes. Supports snapshots (the whole list of
 * commands). Thread-safe for inspection from tests.
 */
public final class RecordingStateMachine implements StateMachine {
    private final List<byte[]> applied = new ArrayList<>();
    private long lastIndex;

    @Override
    public synchronized byte[] apply(long index, byte[] command) {
        if (index <= lastIndex) {
            throw new IllegalStateException("index " + index + " applied after " + lastIndex);
        }
        lastIndex = index;
        applied.add(command);
        return ByteBuffer.allocate(8).putLong(index).array();
    }

    @Override
    public synchronized byte[] query(byte[] query) {
        return ByteBuffer.allocate(8).putLong(applied.size()).array();
    }

    @Override
    public synchronized StateSnapshot takeSnapshot() {
        List<byte[]> frozen = List.copyOf(applied);
        long frozenIndex = lastIndex;
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(frozenIndex);
            data.writeInt(frozen.size());
            for (byte[] c : frozen) {
                data.writeInt(c.length);
                data.write(c);
            }
            data.flush();
        };
    }

    @Override
    public synchronized void restoreSnapshot(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        long index = data.readLong();
        int n = data.readInt();
        List<byte[]> restored = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] c = new byte[data.readInt()];
            data.readFully(c);
            restored.add(c);
        }
        applied.clear();
        applied.addAll(restored);
        lastIndex = index;
        restores++;
    }

    private int restores;

    /** How many times the state was restored from a snapshot. */
    public synchronized int restores() {
        return restores;
    }

    /** The commands applied so far, in order. */
    public synchronized List<byte[]> applied() {
        return new ArrayList<>(applied);
    }

    /** Number of commands applied. */
    public synchronized int size() {
        return applied.size();
    }

    /** Index of the last command applied. */
    public synchronized long lastIndex() {
        return lastIndex;
    }
}
