package dev.keel.raft.transport.netty.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
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
        try {
            AppendEntriesWire.Decoded fast = AppendEntriesWire.tryDecode(input(frame));
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
        out.add(parse(frame));
    }

    /** Parses with the generated code. */
    static Envelope parse(ByteBuf frame) {
        CodedInputStream in = input(frame);
        try {
            Envelope envelope = Envelope.parser().parseFrom(in);
            frame.skipBytes(frame.readableBytes());
            return envelope;
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedFrameException("frame of " + frame.readableBytes() + " bytes is not a valid envelope: "
                    + e.getMessage(), e);
        }
    }

    /**
     * A protobuf input over the frame's readable bytes. A direct buffer is first copied, in one bulk copy, into a
     * scratch array owned by the decoding thread: protobuf's direct-buffer reader pays a costly per-call path for
     * every small bytes field (most of the receiver's time in the benchmark), while its array reader uses plain array
     * copies. Neither the generated parser nor {@link AppendEntriesWire} keeps a reference into the array (no
     * aliasing), so it is reused for the next frame.
     */
    private static CodedInputStream input(ByteBuf frame) {
        CodedInputStream in;
        int length = frame.readableBytes();
        if (frame.hasArray()) {
            in = CodedInputStream.newInstance(frame.array(), frame.arrayOffset() + frame.readerIndex(), length);
        } else {
            byte[] bytes = length <= MAX_SCRATCH ? scratch(length) : new byte[length];
            frame.getBytes(frame.readerIndex(), bytes, 0, length);
            in = CodedInputStream.newInstance(bytes, 0, length);
        }
        // The frame decoder already bounds the size; protobuf's own 64 MiB default must not cut below that.
        in.setSizeLimit(Integer.MAX_VALUE);
        return in;
    }

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
