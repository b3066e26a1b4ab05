package dev.keel.raft.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * First in every pipeline: counts the bytes the socket reads and writes (TLS records included), for the peer's
 * {@link PeerMeters}. On an accepted connection the peer is known only after its handshake: bytes before that are
 * held and added then. One per channel; runs on its event loop.
 */
final class ByteCounter extends ChannelDuplexHandler {
    static final String NAME = "bytes";
    private PeerMeters meters;
    private long heldIn;
    private long heldOut;

    /** @param meters the peer's meters, or {@code null} until the handshake names the peer */
    ByteCounter(PeerMeters meters) {
        this.meters = meters;
    }

    /** The peer is known (an accepted connection passed its handshake). */
    void peer(PeerMeters peer) {
        meters = peer;
        if (heldIn > 0) {
            peer.receivedBytes.add(heldIn);
        }
        if (heldOut > 0) {
            peer.sentBytes.add(heldOut);
        }
        heldIn = 0;
        heldOut = 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long n = size(msg);
        if (meters != null) {
            meters.receivedBytes.add(n);
        } else {
            heldIn += n;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long n = size(msg);
        if (meters != null) {
            meters.sentBytes.add(n);
        } else {
            heldOut += n;
        }
        ctx.write(msg, promise);
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf b) {
            return b.readableBytes();
        }
        return msg instanceof ByteBufHolder h ? h.content().readableBytes() : 0;
    }
}
