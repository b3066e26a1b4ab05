package dev.keel.raft.transport.netty.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.keel.raft.proto.v1.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageDecoder;

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

    /** A protobuf input over the frame's readable bytes, without copying them out of the buffer. */
    private static CodedInputStream input(ByteBuf frame) {
        CodedInputStream in;
        if (frame.hasArray()) {
            in = CodedInputStream.newInstance(frame.array(), frame.arrayOffset() + frame.readerIndex(),
                    frame.readableBytes());
        } else {
            // One bulk copy out of the direct buffer: protobuf's direct-buffer reader copies each small bytes field
            // with a costly per-call path (most of the receiver's time in the benchmark), while the array reader
            // uses plain array copies.
            in = CodedInputStream.newInstance(ByteBufUtil.getBytes(frame));
        }
        // The frame decoder already bounds the size; protobuf's own 64 MiB default must not cut below that.
        in.setSizeLimit(Integer.MAX_VALUE);
        return in;
    }
}
