package dev.keel.raft.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;

import java.util.List;

/**
 * Frames on a Keel connection: a 4-byte big-endian length, then that many bytes of protobuf. Framing knows nothing
 * of protobuf; {@link ProtobufEnvelopeDecoder} and {@link ProtobufEnvelopeEncoder} do the rest.
 */
public final class Framing {
    /** Bytes of the length prefix. */
    public static final int LENGTH_FIELD_BYTES = 4;

    /** Stateless, so one instance serves every channel. */
    static final LengthFieldPrepender PREPENDER = new LengthFieldPrepender(LENGTH_FIELD_BYTES);

    private Framing() {
    }

    /**
     * A frame decoder for one channel (it buffers a partial frame, so it cannot be shared). {@code maxFrameSize}
     * bounds the envelope bytes, not counting the length prefix, the same bound the sender checks.
     */
    static LengthFieldBasedFrameDecoder newDecoder(int maxFrameSize) {
        return new FrameDecoder(maxFrameSize);
    }

    /**
     * Netty's length-field decoder, failing fast on an oversized length (before buffering the frame) and reporting a
     * connection that ends in the middle of a frame instead of silently discarding the partial bytes.
     */
    private static final class FrameDecoder extends LengthFieldBasedFrameDecoder {
        FrameDecoder(int maxFrameSize) {
            super(maxFrameSize + LENGTH_FIELD_BYTES, 0, LENGTH_FIELD_BYTES, 0, LENGTH_FIELD_BYTES, true);
        }

        @Override
        protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            super.decodeLast(ctx, in, out);
            if (in.isReadable()) {
                int leftover = in.readableBytes();
                in.skipBytes(leftover);
                throw new CorruptedFrameException(
                        "connection ended in the middle of a frame (" + leftover + " bytes of a truncated frame)");
            }
        }
    }
}
