package dev.keel.raft.internal.runtime;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Keel's own part of the replicated state, as of one applied index: what it needs besides the state machine to apply
 * the next entry exactly as every other replica does. Written at the head of every snapshot ({@link SnapshotBody}).
 * Version 1 held the log time; version 2 adds the client sessions.
 *
 * @param logTimeMillis the log time of the last applied request (log time never goes back; see
 *                      {@link dev.keel.raft.statemachine.ApplyContext})
 * @param sessions      the client sessions, frozen
 */
record KeelState(long logTimeMillis, List<SessionTable.Frozen> sessions) {
    /** The state before anything was applied. */
    static final KeelState INITIAL = new KeelState(0, List.of());

    /** How many bytes {@link #writeTo} writes. */
    long serializedSize() {
        long size = Long.BYTES + Integer.BYTES;
        for (SessionTable.Frozen s : sessions) {
            size += s.serializedSize();
        }
        return size;
    }

    /** Writes the current version ({@link SnapshotBody#VERSION}). */
    void writeTo(DataOutputStream out) throws IOException {
        out.writeLong(logTimeMillis);
        out.writeInt(sessions.size());
        for (SessionTable.Frozen s : sessions) {
            s.writeTo(out);
        }
    }

    static KeelState readFrom(DataInputStream in, int version) throws IOException {
        long time = in.readLong();
        if (time < 0) {
            throw new IOException("negative log time " + time + " in the snapshot");
        }
        if (version < 2) {
            return new KeelState(time, List.of());
        }
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative session count " + n + " in the snapshot");
        }
        List<SessionTable.Frozen> sessions = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            sessions.add(SessionTable.Frozen.readFrom(in));
        }
        return new KeelState(time, sessions);
    }
}
