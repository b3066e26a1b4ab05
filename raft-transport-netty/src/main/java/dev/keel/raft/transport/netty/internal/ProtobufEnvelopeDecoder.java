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

import java.util.List;

/**
 * Decodes one frame's bytes into an {@link Envelope}. Stateless, hence {@link Sharable}. A frame that is not a valid
 * Envelope fails with {@link CorruptedFrameException}, which closes the connection.
 */
@Sharable
final class ProtobufEnvelopeDecoder extends MessageToMessageDecoder<ByteBuf> {
    static final ProtobufEnvelopeDecoder INSTANCE = new ProtobufEnvelopeDecoder();

    private ProtobufEnvelopeDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(parse(frame));
    }

    /** Parses without first copying the frame out of a (usually direct, pooled) buffer. */
    static Envelope parse(ByteBuf frame) {
        CodedInputStream in;
        if (frame.hasArray()) {
            in = CodedInputStream.newInstance(frame.array(), frame.arrayOffset() + frame.readerIndex(),
                    frame.readableBytes());
        } else if (frame.nioBufferCount() == 1) {
            in = CodedInputStream.newInstance(frame.nioBuffer());
        } else {
            in = CodedInputStream.newInstance(ByteBufUtil.getBytes(frame));
        }
        // The frame decoder already bounds the size; protobuf's own 64 MiB default must not cut below that.
        in.setSizeLimit(Integer.MAX_VALUE);
        try {
            Envelope envelope = Envelope.parser().parseFrom(in);
            frame.skipBytes(frame.readableBytes());
            return envelope;
        } catch (InvalidProtocolBufferException e) {
            throw new CorruptedFrameException("frame of " + frame.readableBytes() + " bytes is not a valid envelope: "
                    + e.getMessage(), e);
        }
    }
}
