package dev.keel.raft.transport.netty.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.proto.v1.Envelope;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written protobuf codec for the one hot message, an {@link Envelope} carrying an AppendEntriesRequest,
 * byte-for-byte the encoding the generated code produces (see raft.proto; tests cross-check both ways).
 *
 * <p>Why: profiling the throughput benchmark showed the receiving event loop spending most of its time in the
 * generated parser's per-entry builders and in copying each entry's data twice (into a {@code ByteString}, then out
 * of it into the {@code byte[]} a {@link LogEntry} holds); the sender likewise built a protobuf object per entry.
 * Here each entry's bytes are copied once, straight between the frame and the entry's array, with no intermediate
 * objects. Every other message (small and rare by comparison) goes through the generated code.
 *
 * <p>The decoder takes the fast path only for the common shape, an envelope with exactly one known body which is an
 * AppendEntriesRequest; anything else returns {@code null} and the caller parses with the generated code, so protobuf
 * semantics (merging of repeated singular messages, etc.) stay exactly those of the generated parser. Stateless.
 */
final class AppendEntriesWire {
    private static final int BODY = Envelope.APPEND_ENTRIES_REQUEST_FIELD_NUMBER;
    private static final int FIRST_BODY = Envelope.HANDSHAKE_FIELD_NUMBER;
    private static final int LAST_BODY = Envelope.READ_INDEX_RESPONSE_FIELD_NUMBER;

    private AppendEntriesWire() {
    }

    /** The header and body of a fast-decoded envelope; {@code from}/{@code to} are still unvalidated strings. */
    record Decoded(String clusterId, String groupId, String from, String to, long term, long prevLogIndex,
                   long prevLogTerm, long leaderCommit, List<LogEntry> entries) {
    }

    // ---- encoding -------------------------------------------------------------------------------------------

    /**
     * An AppendEntries with its sizes computed once: the sender checks the total against the frame limit, and the
     * encoder reuses the per-entry sizes for the length prefixes instead of computing them again.
     *
     * @param message     the message
     * @param groupId     the group it is sent for
     * @param size        serialized size of the whole envelope, as the generated code computes it
     * @param bodySize    serialized size of the AppendEntriesRequest body
     * @param entrySizes  serialized size of each entry
     */
    record Measured(AppendEntriesRequest message, String groupId, int size, int bodySize, int[] entrySizes) {
    }

    /** Computes the serialized sizes of the envelope carrying {@code m} for {@code groupId}. */
    static Measured measure(AppendEntriesRequest m, String groupId) {
        List<LogEntry> entries = m.entries();
        int[] entrySizes = new int[entries.size()];
        int body = uint64FieldSize(1, m.term()) + uint64FieldSize(2, m.prevLogIndex())
                + uint64FieldSize(3, m.prevLogTerm()) + uint64FieldSize(4, m.leaderCommit());
        for (int i = 0; i < entrySizes.length; i++) {
            int entry = entrySize(entries.get(i));
            entrySizes[i] = entry;
            body += 1 + CodedOutputStream.computeUInt32SizeNoTag(entry) + entry;
        }
        int size = stringFieldSize(2, groupId) + stringFieldSize(3, m.from().value())
                + stringFieldSize(4, m.to().value())
                + CodedOutputStream.computeTagSize(BODY) + CodedOutputStream.computeUInt32SizeNoTag(body) + body;
        return new Measured(m, groupId, size, body, entrySizes);
    }

    /** Serialized size of the envelope carrying {@code m} for {@code groupId}. */
    static int envelopeSize(AppendEntriesRequest m, String groupId) {
        return measure(m, groupId).size();
    }

    /** Writes the envelope carrying {@code m}; {@code out} must have room for {@link #envelopeSize}. */
    static void writeEnvelope(AppendEntriesRequest m, String groupId, CodedOutputStream out) throws IOException {
        writeEnvelope(measure(m, groupId), out);
    }

    /** Writes the measured envelope; {@code out} must have room for {@link Measured#size()}. */
    static void writeEnvelope(Measured measured, CodedOutputStream out) throws IOException {
        AppendEntriesRequest m = measured.message();
        // Field order and zero-skipping as in generated code (proto3: default values are not written).
        writeString(out, 2, measured.groupId());
        writeString(out, 3, m.from().value());
        writeString(out, 4, m.to().value());
        out.writeTag(BODY, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(measured.bodySize());
        writeUInt64(out, 1, m.term());
        writeUInt64(out, 2, m.prevLogIndex());
        writeUInt64(out, 3, m.prevLogTerm());
        writeUInt64(out, 4, m.leaderCommit());
        List<LogEntry> entries = m.entries();
        int[] entrySizes = measured.entrySizes();
        for (int i = 0; i < entrySizes.length; i++) {
            LogEntry e = entries.get(i);
            out.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(entrySizes[i]);
            writeUInt64(out, 1, e.index());
            writeUInt64(out, 2, e.term());
            if (e.type().code() != 0) {
                out.writeEnum(3, e.type().code());
            }
            if (e.data().length > 0) {
                out.writeByteArray(4, e.data());
            }
        }
    }

    private static int entrySize(LogEntry e) {
        return uint64FieldSize(1, e.index()) + uint64FieldSize(2, e.term())
                + (e.type().code() != 0 ? CodedOutputStream.computeEnumSize(3, e.type().code()) : 0)
                + (e.data().length > 0 ? CodedOutputStream.computeByteArraySize(4, e.data()) : 0);
    }

    private static int uint64FieldSize(int field, long value) {
        return value == 0 ? 0 : CodedOutputStream.computeUInt64Size(field, value);
    }

    private static int stringFieldSize(int field, String value) {
        return value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
    }

    private static void writeUInt64(CodedOutputStream out, int field, long value) throws IOException {
        if (value != 0) {
            out.writeUInt64(field, value);
        }
    }

    private static void writeString(CodedOutputStream out, int field, String value) throws IOException {
        if (!value.isEmpty()) {
            out.writeString(field, value);
        }
    }

    // ---- decoding -------------------------------------------------------------------------------------------

    /**
     * Decodes an envelope that carries exactly one body, an AppendEntriesRequest; returns null for any other
     * envelope (the caller then uses the generated parser from the start of the frame).
     *
     * @throws IOException              if the bytes are not valid protobuf
     * @throws IllegalArgumentException if an entry fails validation (unknown type, index or term below 1)
     */
    static Decoded tryDecode(CodedInputStream in) throws IOException {
        String clusterId = "";
        String groupId = "";
        String from = "";
        String to = "";
        Decoded body = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            boolean delimited = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            if (delimited && field <= 4) {
                String value = in.readStringRequireUtf8();
                switch (field) {
                    case 1 -> clusterId = value;
                    case 2 -> groupId = value;
                    case 3 -> from = value;
                    default -> to = value;
                }
            } else if (delimited && field == BODY && body == null) {
                int limit = in.pushLimit(in.readRawVarint32());
                body = readBody(in);
                in.popLimit(limit);
            } else if (delimited && field >= FIRST_BODY && field <= LAST_BODY) {
                // Another body, or a second AppendEntries to merge: leave it to the generated parser.
                return null;
            } else if (!in.skipField(tag)) {
                return null;
            }
        }
        if (body == null) {
            return null;
        }
        return new Decoded(clusterId, groupId, from, to, body.term, body.prevLogIndex, body.prevLogTerm,
                body.leaderCommit, body.entries);
    }

    private static Decoded readBody(CodedInputStream in) throws IOException {
        long term = 0;
        long prevLogIndex = 0;
        long prevLogTerm = 0;
        long leaderCommit = 0;
        // Sized for a typical batch so that the list rarely grows.
        List<LogEntry> entries = new ArrayList<>(64);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            int wireType = WireFormat.getTagWireType(tag);
            if (wireType == WireFormat.WIRETYPE_VARINT && field >= 1 && field <= 4) {
                long value = in.readUInt64();
                switch (field) {
                    case 1 -> term = value;
                    case 2 -> prevLogIndex = value;
                    case 3 -> prevLogTerm = value;
                    default -> leaderCommit = value;
                }
            } else if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED && field == 5) {
                int limit = in.pushLimit(in.readRawVarint32());
                entries.add(readEntry(in));
                in.popLimit(limit);
            } else {
                skipNested(in, tag);
            }
        }
        return new Decoded("", "", "", "", term, prevLogIndex, prevLogTerm, leaderCommit, entries);
    }

    /** Skips an unknown field inside a nested message; a stray end-group tag is invalid there, as in generated code. */
    private static void skipNested(CodedInputStream in, int tag) throws IOException {
        if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("protocol message end-group tag did not match expected tag");
        }
    }

    private static LogEntry readEntry(CodedInputStream in) throws IOException {
        long index = 0;
        long term = 0;
        int type = 0;
        byte[] data = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            int wireType = WireFormat.getTagWireType(tag);
            if (wireType == WireFormat.WIRETYPE_VARINT && field == 1) {
                index = in.readUInt64();
            } else if (wireType == WireFormat.WIRETYPE_VARINT && field == 2) {
                term = in.readUInt64();
            } else if (wireType == WireFormat.WIRETYPE_VARINT && field == 3) {
                type = in.readEnum();
            } else if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED && field == 4) {
                // The one copy of the entry's data: from the frame straight into the array the entry keeps.
                data = in.readByteArray();
            } else {
                skipNested(in, tag);
            }
        }
        return new LogEntry(index, term, MessageMapper.entryType(type), data == null ? new byte[0] : data);
    }
}
