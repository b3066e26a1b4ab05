package dev.keel.raft.internal.runtime;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The bytes of a snapshot as Keel writes them: Keel's part ({@link KeelState}) first, then the state machine's. The
 * snapshot storage sees one opaque stream and checksums all of it. Big-endian:
 * <pre>
 *  0  8 bytes  magic 0x89 'K' 'E' 'E' 'L' '\r' '\n' 0x1A (not text, so no state machine's own format starts so)
 *  8  int32    version of Keel's part ({@value #VERSION})
 * 12  int32    length L of Keel's part (version 1: the log time; version 2: the log time and the client sessions)
 * 16  L bytes  Keel's part ({@link KeelState#writeTo})
 *  .  ...      the state machine's bytes ({@link dev.keel.raft.statemachine.StateSnapshot#writeTo}), to the end
 * </pre>
 * A snapshot that does not start with the magic was written before Keel had a part of its own: all of it is the state
 * machine's, and Keel's part is {@link KeelState#INITIAL}.
 */
final class SnapshotBody {
    static final int VERSION = 2;
    private static final byte[] MAGIC = {(byte) 0x89, 'K', 'E', 'E', 'L', '\r', '\n', 0x1A};
    private static final int MAX_KEEL_BYTES = 1 << 30;

    private SnapshotBody() {
    }

    /** Writes the magic and Keel's part; the state machine's bytes follow. */
    static void writeHeader(OutputStream out, KeelState state) throws IOException {
        DataOutputStream o = new DataOutputStream(out);
        long size = state.serializedSize();
        if (size > MAX_KEEL_BYTES) {
            throw new IOException("Keel's part of the snapshot would take " + size + " bytes, more than "
                    + MAX_KEEL_BYTES);
        }
        o.write(MAGIC);
        o.writeInt(VERSION);
        o.writeInt((int) size);
        int before = o.size();
        state.writeTo(o);
        if (o.size() - before != size) {
            throw new IllegalStateException("Keel's part of the snapshot wrote " + (o.size() - before)
                    + " bytes, announced " + size);
        }
        o.flush();
    }

    /**
     * Reads Keel's part from the head of {@code in}, leaving it at the state machine's bytes.
     *
     * @param in a stream that supports mark and reset ({@link BufferedInputStream})
     * @throws IOException if Keel's part is damaged or of a version this one does not read
     */
    static KeelState readHeader(InputStream in) throws IOException {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("the stream must support mark/reset");
        }
        in.mark(MAGIC.length);
        byte[] head = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(head, MAGIC)) {
            in.reset();
            return KeelState.INITIAL;
        }
        DataInputStream data = new DataInputStream(in);
        int version = data.readInt();
        if (version < 1 || version > VERSION) {
            throw new IOException("the snapshot's Keel part has version " + version + "; this version of Keel reads "
                    + "1 to " + VERSION + " (written by a newer Keel?)");
        }
        int length = data.readInt();
        if (length < 0 || length > MAX_KEEL_BYTES) {
            throw new IOException("the snapshot's Keel part claims " + length + " bytes");
        }
        byte[] part = data.readNBytes(length);
        if (part.length != length) {
            throw new IOException("the snapshot ends inside Keel's part (" + part.length + " of " + length
                    + " bytes)");
        }
        DataInputStream partIn = new DataInputStream(new ByteArrayInputStream(part));
        KeelState state = KeelState.readFrom(partIn, version);
        if (partIn.available() > 0) {
            throw new IOException("the snapshot's Keel part has " + partIn.available() + " bytes more than version "
                    + version + " defines");
        }
        return state;
    }
}
