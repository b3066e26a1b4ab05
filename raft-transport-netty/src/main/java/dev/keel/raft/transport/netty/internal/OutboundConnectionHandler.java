package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.proto.v1.Envelope;
import dev.keel.raft.proto.v1.Handshake;
import dev.keel.raft.proto.v1.HandshakeResponse;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The last handler of a connection this node opened to a peer: sends the handshake, waits for the answer, then
 * reports the connection to its {@link OutboundListener} (the {@link PeerConnection}), which writes the Raft traffic.
 *
 * <p>One instance per channel (it holds the handshake state); all methods run on the channel's event loop.
 */
final class OutboundConnectionHandler extends ChannelInboundHandlerAdapter {
    private final TransportContext context;
    private final OutboundListener peer;
    private boolean handshakeDone;
    private String failure;
    /** Set when the failure came from inside this node rather than from the network or the peer. */
    private Throwable localFault;
    private ScheduledFuture<?> handshakeTimeout;

    OutboundConnectionHandler(TransportContext context, OutboundListener peer) {
        this.context = context;
        this.peer = peer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Envelope.newBuilder()
                .setClusterId(context.clusterId)
                .setGroupId(context.groupId)
                .setFrom(context.selfId.value())
                .setTo(peer.peer().value())
                .setHandshake(Handshake.newBuilder().setProtocolVersion(TransportContext.PROTOCOL_VERSION))
                .build(), ctx.voidPromise());
        long timeoutMillis = context.connectTimeout.toMillis();
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (!handshakeDone) {
                fail(ctx, "no handshake response within " + timeoutMillis + " ms");
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (handshakeDone) {
            // The accepting side sends nothing after the handshake in protocol v1; a later version may, and an old
            // node ignores what it does not know (raft.proto rule 3).
            context.counters.droppedInbound.increment();
            return;
        }
        if (failure != null) {
            return;
        }
        if (!(msg instanceof Envelope envelope) || !envelope.hasHandshakeResponse()) {
            fail(ctx, "protocol violation: expected a handshake response, got "
                    + (msg instanceof Envelope e ? e.getBodyCase() : "APPEND_ENTRIES_REQUEST"));
            return;
        }
        HandshakeResponse response = envelope.getHandshakeResponse();
        if (!response.getAccepted()) {
            fail(ctx, "refused by the peer: " + response.getReason());
            return;
        }
        if (response.getProtocolVersion() != TransportContext.PROTOCOL_VERSION) {
            fail(ctx, "the peer chose protocol version " + response.getProtocolVersion() + ", this node speaks "
                    + TransportContext.PROTOCOL_VERSION);
            return;
        }
        handshakeDone = true;
        cancelTimeout();
        peer.handshakeAccepted(ctx.channel());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            peer.writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (handshakeDone) {
            peer.connectionLost(ctx.channel());
        } else {
            peer.connectionFailed(ctx.channel(),
                    failure != null ? failure : "connection closed before the handshake completed", localFault);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!handshakeDone) {
            // PeerConnection logs the failure (with this reason) when the channel goes inactive.
            if (localFault == null && ConnectionErrors.isLocalFault(cause)) {
                localFault = cause;
            }
            fail(ctx, PeerConnection.describe(cause));
            return;
        }
        if (failure == null) {
            failure = PeerConnection.describe(cause);
            ConnectionErrors.report(context, ctx.channel(), "connection to " + peer.peer(), cause);
        }
        ctx.close();
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (failure == null) {
            failure = reason;
        }
        cancelTimeout();
        ctx.close();
    }

    private void cancelTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
            handshakeTimeout = null;
        }
    }
}
