package dev.keel.raft.transport.netty.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.keel.raft.proto.v1.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.util.List;

/**
 * Decodes one frame's bytes into an {@link Envelope}, or, for the hot AppendEntries envelope, straight into an
 * {@link AppendEntriesWire.Decoded} (see there why). Stateless, hence {@link Sharable}. A frame that is not a valid
 * Envelope fails with {@link CorruptedFrameException}, and an entry that fails validation with
 * {@link InvalidWireDataException}; either closes the connection.
 */
@Sharable
final class ProtobufEnvelopeDecoder extends MessageToMessageDecoder<ByteBuf> {
    static final ProtobufEnvelopeDecoder INSTANCE = new ProtobufEnvelopeDecoder();

    private ProtobufEnvelopeDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        if (!frame.hasArray() && frame.readableBytes() >= MIN_DIRECT_PARSE && isSnapshotChunk(frame)) {
            out.add(parseDirect(frame));
            return;
        }
        Bytes bytes = bytes(frame);
        try {
            AppendEntriesWire.Decoded fast = AppendEntriesWire.tryDecode(bytes.input());
            if (fast != null) {
                frame.skipBytes(frame.readableBytes());
                out.add(fast);
                return;
            }
        } catch (IOException e) {
            throw new CorruptedFrameException("frame of " + frame.readableBytes() + " bytes is not a valid envelope: "
                    + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidWireDataException("invalid APPEND_ENTRIES_REQUEST entry: " + e.getMessage(), e);
        }
        out.add(parse(frame, bytes));
    }

    /**
     * Whether a frame carries an InstallSnapshot request: its top-level fields are read up to the body's tag,
     * skipping the four short header strings, without copying the frame.
     */
    private static boolean isSnapshotChunk(ByteBuf frame) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(frame.nioBuffer());
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                int field = WireFormat.getTagFieldNumber(tag);
                if (field >= Envelope.HANDSHAKE_FIELD_NUMBER) {
                    return field == Envelope.INSTALL_SNAPSHOT_REQUEST_FIELD_NUMBER
                            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
                }
                if (!in.skipField(tag)) {
                    return false;
                }
            }
            return false;
        } catch (IOException e) {
            return false; // the full parse reports what is wrong with the frame
        }
    }

    /**
     * Parses a snapshot chunk straight from the frame's (direct) memory: a handful of small fields, and the data,
     * which protobuf copies once into an array of its own that {@link MessageMapper#ownedBytes} hands on without
     * another copy. The general path would first copy the whole frame into an array.
     */
    private static Envelope parseDirect(ByteBuf frame) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(frame.nioBuffer());
            in.setSizeLimit(Integer.MAX_VALUE);
            Envelope envelope = Envelope.parser().parseFrom(in);
            frame.skipBytes(frame.readableBytes());
            return envelope;
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedFrameException("frame of " + frame.readableBytes() + " bytes is not a valid envelope: "
                    + e.getMessage(), e);
        }
    }

    /** Parses with the generated code. */
    static Envelope parse(ByteBuf frame) {
        return parse(frame, bytes(frame));
    }

    private static Envelope parse(ByteBuf frame, Bytes bytes) {
        try {
            Envelope envelope = Envelope.parser().parseFrom(bytes.input());
            frame.skipBytes(frame.readableBytes());
            return envelope;
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedFrameException("frame of " + frame.readableBytes() + " bytes is not a valid envelope: "
                    + e.getMessage(), e);
        }
    }

    /**
     * A frame's bytes in an array, copied at most once per frame, whichever decoder reads them. {@code owned}: the
     * array belongs to this frame alone (not the thread's scratch), so parsed bytes fields may alias it instead of
     * being copied again: what keeps a large frame (a snapshot chunk) from being copied four times.
     */
    private record Bytes(byte[] array, int offset, int length, boolean owned) {
        CodedInputStream input() {
            CodedInputStream in = CodedInputStream.newInstance(array, offset, length);
            if (owned) {
                in.enableAliasing(true);
            }
            // The frame decoder already bounds the size; protobuf's own 64 MiB default must not cut below that.
            in.setSizeLimit(Integer.MAX_VALUE);
            return in;
        }
    }

    /**
     * The frame's readable bytes as an array. A direct buffer is first copied, in one bulk copy, into a scratch
     * array owned by the decoding thread (small frames) or an array of its own (large ones): protobuf's direct-buffer
     * reader pays a costly per-call path for every small bytes field (most of the receiver's time in the benchmark),
     * while its array reader uses plain array copies. Neither the generated parser nor {@link AppendEntriesWire}
     * keeps a reference into a scratch array (no aliasing there), so it is reused for the next frame.
     */
    private static Bytes bytes(ByteBuf frame) {
        int length = frame.readableBytes();
        if (frame.hasArray()) {
            return new Bytes(frame.array(), frame.arrayOffset() + frame.readerIndex(), length, false);
        }
        boolean owned = length > MAX_SCRATCH;
        byte[] array = owned ? new byte[length] : scratch(length);
        frame.getBytes(frame.readerIndex(), array, 0, length);
        return new Bytes(array, 0, length, owned);
    }

    /** Smaller frames are never snapshot chunks worth parsing from direct memory (chunks are 256 KiB by default). */
    private static final int MIN_DIRECT_PARSE = 16 * 1024;
    /** Frames up to this size reuse the thread's scratch array; larger (rare) ones get their own. */
    private static final int MAX_SCRATCH = 1 << 20;
    private static final FastThreadLocal<byte[][]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[][] initialValue() {
            return new byte[1][];
        }
    };

    private static byte[] scratch(int length) {
        byte[][] holder = SCRATCH.get();
        byte[] bytes = holder[0];
        if (bytes == null || bytes.length < length) {
            bytes = new byte[Math.max(length, 16 * 1024)];
            holder[0] = bytes;
        }
        return bytes;
    }
}
