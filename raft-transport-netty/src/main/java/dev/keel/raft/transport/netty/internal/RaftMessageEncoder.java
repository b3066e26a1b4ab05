package dev.keel.raft.transport.netty.internal;

import com.google.protobuf.CodedOutputStream;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.proto.v1.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Serializes a {@link RaftMessage} as an envelope for one group: AppendEntries (bare, or already
 * {@linkplain AppendEntriesWire.Measured measured} by the sender's size check) with {@link AppendEntriesWire},
 * straight from the record into the buffer; everything else through the generated code. Immutable, hence
 * {@link Sharable}; one instance per transport (it holds the group id).
 */
@Sharable
final class RaftMessageEncoder extends MessageToMessageEncoder<Object> {
    private final String groupId;

    RaftMessageEncoder(String groupId) {
        this.groupId = groupId;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof RaftMessage || msg instanceof AppendEntriesWire.Measured;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object message, List<Object> out) throws Exception {
        if (message instanceof AppendEntriesWire.Measured measured) {
            out.add(appendEntries(ctx, measured));
        } else if (message instanceof AppendEntriesRequest ae) {
            out.add(appendEntries(ctx, AppendEntriesWire.measure(ae, groupId)));
        } else {
            Envelope envelope = MessageMapper.toEnvelope((RaftMessage) message, groupId);
            out.add(ProtobufEnvelopeEncoder.serialize(ctx.alloc(), envelope));
        }
    }

    private static ByteBuf appendEntries(ChannelHandlerContext ctx, AppendEntriesWire.Measured measured)
            throws java.io.IOException {
        int size = measured.size();
        ByteBuf buf = ctx.alloc().ioBuffer(size, size);
        boolean done = false;
        try {
            CodedOutputStream cos = CodedOutputStream.newInstance(buf.nioBuffer(0, size));
            AppendEntriesWire.writeEnvelope(measured, cos);
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
