package dev.keel.raft.internal.runtime;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Keel's own part of the replicated state, as of one applied index: what it needs besides the state machine to apply
 * the next entry exactly as every other replica does. Written at the head of every snapshot ({@link SnapshotBody}).
 *
 * @param logTimeMillis the log time of the last applied request (log time never goes back; see
 *                      {@link dev.keel.raft.statemachine.ApplyContext})
 */
record KeelState(long logTimeMillis) {
    /** The state before anything was applied. */
    static final KeelState INITIAL = new KeelState(0);

    /** How many bytes {@link #writeTo} writes. */
    long serializedSize() {
        return Long.BYTES;
    }

    void writeTo(DataOutputStream out) throws IOException {
        out.writeLong(logTimeMillis);
    }

    static KeelState readFrom(DataInputStream in, int version) throws IOException {
        long time = in.readLong();
        if (time < 0) {
            throw new IOException("negative log time " + time + " in the snapshot");
        }
        return new KeelState(time);
    }
}
