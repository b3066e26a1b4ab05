package dev.keel.raft.testing;

import dev.keel.raft.statemachine.StateMachine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A state machine for tests: it keeps every applied command in order. {@code apply} returns the index as 8 bytes;
 * {@code query} returns the number of commands applied so far as 8 bytes. Thread-safe for inspection from tests.
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
