package dev.keel.raft.transport.netty.internal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Serializes a protobuf message into a buffer of exactly its size, straight into (usually direct) pooled memory
 * rather than through an intermediate {@code byte[]}. Stateless, hence {@link Sharable}.
 */
@Sharable
final class ProtobufEnvelopeEncoder extends MessageToMessageEncoder<MessageLite> {
    static final ProtobufEnvelopeEncoder INSTANCE = new ProtobufEnvelopeEncoder();

    private ProtobufEnvelopeEncoder() {
        super(MessageLite.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MessageLite message, List<Object> out) throws Exception {
        out.add(serialize(ctx.alloc(), message));
    }

    static ByteBuf serialize(ByteBufAllocator alloc, MessageLite message) throws IOException {
        int size = message.getSerializedSize();
        ByteBuf buf = alloc.ioBuffer(size, size);
        boolean done = false;
        try {
            ByteBuffer target = buf.nioBuffer(0, size);
            CodedOutputStream cos = CodedOutputStream.newInstance(target);
            message.writeTo(cos);
            cos.checkNoSpaceLeft();
            buf.writerIndex(size);
            done = true;
            return buf;
        } finally {
            if (!done) {
                buf.release();
            }
        }
    }
}
