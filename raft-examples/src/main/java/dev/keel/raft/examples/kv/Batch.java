package dev.keel.raft.examples.kv;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The replies of a batch ({@link Op#WRITE_BATCH}, {@link Op#READ_BATCH}) framed in one byte array: a 4-byte count,
 * then each reply as a 4-byte length and its bytes. The first byte is always 0 for any realistic count, so a framed
 * batch is never mistaken for a RESP error reply ({@code -...}), which is what a failed batch gets instead.
 */
public final class Batch {
    private Batch() {
    }

    /** Frames replies. */
    public static byte[] frame(List<byte[]> replies) {
        int size = 4;
        for (byte[] r : replies) {
            size += 4 + r.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size).putInt(replies.size());
        for (byte[] r : replies) {
            buf.putInt(r.length).put(r);
        }
        return buf.array();
    }

    /**
     * Splits a framed batch.
     *
     * @throws IllegalArgumentException if the bytes are not a framed batch of {@code expected} replies
     */
    public static List<byte[]> split(byte[] framed, int expected) {
        ByteBuffer buf = ByteBuffer.wrap(framed);
        if (buf.remaining() < 4 || buf.getInt() != expected) {
            throw new IllegalArgumentException("not a batch of " + expected + " replies");
        }
        List<byte[]> replies = new ArrayList<>(expected);
        for (int i = 0; i < expected; i++) {
            int len = buf.remaining() >= 4 ? buf.getInt() : -1;
            if (len < 0 || len > buf.remaining()) {
                throw new IllegalArgumentException("batch reply " + i + " is cut short");
            }
            byte[] r = new byte[len];
            buf.get(r);
            replies.add(r);
        }
        return replies;
    }
}
