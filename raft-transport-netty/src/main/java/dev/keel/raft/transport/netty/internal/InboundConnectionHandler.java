package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.NodeId;
import dev.keel.raft.proto.v1.Envelope;
import dev.keel.raft.proto.v1.HandshakeResponse;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The last handler of an accepted connection: checks the connecting node's handshake, then delivers its messages.
 *
 * <p>The handshake must be the first frame and must name this cluster, a current member as sender and this node as
 * addressee; otherwise the connection is refused with a reason (sent back and logged) and closed. After the
 * handshake every frame must come from the node the handshake named. Anything malformed closes this connection
 * only, logged once, rate-limited across connections.
 *
 * <p>One instance per channel (it holds the handshake state); all methods run on the channel's event loop.
 */
final class InboundConnectionHandler extends ChannelInboundHandlerAdapter {
    private final TransportContext context;
    private NodeId peer;
    private PeerMeters meters;
    private ScheduledFuture<?> handshakeTimeout;
    private boolean failed;

    InboundConnectionHandler(TransportContext context) {
        this.context = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long timeoutMillis = context.connectTimeout.toMillis();
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (peer == null && ctx.channel().isActive()) {
                refuse(ctx, "no handshake within " + timeoutMillis + " ms");
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (peer != null) {
            TransportContext.LOG.debug("{}: inbound connection from {} closed", context.selfId, peer);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            return;
        }
        if (meters != null) {
            meters.receivedFrames.increment();
        }
        if (msg instanceof AppendEntriesWire.Decoded fast) {
            if (peer == null) {
                refuse(ctx, "the first frame must be a handshake, was APPEND_ENTRIES_REQUEST");
            } else if (routable(fast.clusterId(), fast.groupId(), fast.from(), fast.to())) {
                context.deliver(MessageMapper.fromDecoded(fast, peer, context.selfId));
            }
            return;
        }
        Envelope envelope = (Envelope) msg;
        if (peer == null) {
            handshake(ctx, envelope);
        } else {
            message(envelope);
        }
    }

    private void handshake(ChannelHandlerContext ctx, Envelope envelope) {
        if (!envelope.hasHandshake()) {
            refuse(ctx, "the first frame must be a handshake, was " + envelope.getBodyCase());
            return;
        }
        int version = envelope.getHandshake().getProtocolVersion();
        if (version < TransportContext.PROTOCOL_VERSION) {
            refuse(ctx, "protocol version " + version + " is not supported; this node speaks "
                    + TransportContext.PROTOCOL_VERSION);
            return;
        }
        if (!context.clusterId.equals(envelope.getClusterId())) {
            refuse(ctx, "cluster id mismatch: the connecting node is in cluster '" + envelope.getClusterId()
                    + "', this node is in '" + context.clusterId + "'");
            return;
        }
        NodeId from;
        try {
            from = NodeId.of(envelope.getFrom());
        } catch (IllegalArgumentException e) {
            refuse(ctx, "invalid sender id: " + e.getMessage());
            return;
        }
        if (!context.isMember(from)) {
            refuse(ctx, "'" + from + "' is not a member of this node's cluster configuration");
            return;
        }
        if (!context.selfId.value().equals(envelope.getTo())) {
            refuse(ctx, "the connecting node " + from + " expected '" + envelope.getTo() + "' at this address, but this is '"
                    + context.selfId + "': check the peer addresses");
            return;
        }
        peer = from;
        meters = context.peerMeters.of(from);
        ByteCounter bytes = (ByteCounter) ctx.pipeline().get(ByteCounter.NAME);
        if (bytes != null) {
            bytes.peer(meters);
        }
        cancelTimeout();
        ctx.writeAndFlush(response(true, ""));
        context.inboundAccepted(ctx.channel(), from);
        TransportContext.LOG.debug("{}: accepted connection from {} at {}", context.selfId, from,
                ctx.channel().remoteAddress());
    }

    private void message(Envelope envelope) {
        if (!MessageMapper.hasRaftBody(envelope)) {
            checkSender(envelope.getFrom());
            if (envelope.hasHandshake() || envelope.hasHandshakeResponse()) {
                throw new InvalidWireDataException("unexpected " + envelope.getBodyCase() + " after the handshake");
            }
            drop("a message of a kind this version does not know (sent by a newer version?) from " + peer);
            return;
        }
        if (routable(envelope.getClusterId(), envelope.getGroupId(), envelope.getFrom(), envelope.getTo())) {
            context.deliver(MessageMapper.fromEnvelope(envelope, peer, context.selfId));
        }
    }

    /**
     * Checks a frame's header after the handshake: a wrong sender or cluster breaks the connection's protocol (an
     * exception, which closes it); a message for another group or node is dropped (false).
     */
    private boolean routable(String clusterId, String groupId, String from, String to) {
        checkSender(from);
        if (!context.isMember(peer)) {
            // Removed from the configuration: its connection is being closed, but frames it already carried are
            // still being decoded. A removed node is not heard from the moment it is removed.
            context.counters.droppedInbound.increment();
            return false;
        }
        if (!clusterId.isEmpty() && !context.clusterId.equals(clusterId)) {
            throw new InvalidWireDataException("frame for cluster '" + clusterId + "' on a connection of cluster '"
                    + context.clusterId + "'");
        }
        if (!context.groupId.equals(groupId)) {
            drop("a message for group '" + groupId + "' from " + peer + "; this node serves group '"
                    + context.groupId + "'");
            return false;
        }
        if (!context.selfId.value().equals(to)) {
            drop("a message for '" + to + "' from " + peer + " (this is " + context.selfId + ")");
            return false;
        }
        return true;
    }

    private void checkSender(String from) {
        if (!peer.value().equals(from)) {
            throw new InvalidWireDataException("connection of " + peer + " carried a frame from '" + from + "'");
        }
    }

    private void drop(String what) {
        context.counters.droppedInbound.increment();
        context.droppedLog.warn(context.selfId + ": dropped " + what);
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        failed = true;
        cancelTimeout();
        context.counters.handshakesRefused.increment();
        context.refusedLog.warn(context.selfId + ": refused connection from " + ctx.channel().remoteAddress() + ": "
                + reason);
        ctx.writeAndFlush(response(false, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    private Envelope response(boolean accepted, String reason) {
        return Envelope.newBuilder()
                .setClusterId(context.clusterId)
                .setGroupId(context.groupId)
                .setFrom(context.selfId.value())
                .setTo(peer != null ? peer.value() : "")
                .setHandshakeResponse(HandshakeResponse.newBuilder()
                        .setAccepted(accepted)
                        .setReason(reason)
                        .setProtocolVersion(TransportContext.PROTOCOL_VERSION))
                .build();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return;
        }
        failed = true;
        cancelTimeout();
        ConnectionErrors.report(context, ctx.channel(), "inbound connection from "
                + (peer != null ? peer : "unidentified node"), cause);
        ctx.close();
    }

    private void cancelTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
            handshakeTimeout = null;
        }
    }
}
