package dev.keel.raft.transport.netty.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * Builds the pipeline of a connection this node opens to {@code peer}:
 * [TLS] - frame decoder - frame prepender - protobuf decoder - protobuf encoder - {@link OutboundConnectionHandler}.
 */
final class OutboundChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final TransportContext context;
    private final SslContext tls;
    private final PeerConnection peer;

    OutboundChannelInitializer(TransportContext context, SslContext tls, PeerConnection peer) {
        this.context = context;
        this.tls = tls;
        this.peer = peer;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            // Host and port let the TLS layer verify that the certificate names the address we dialled.
            SslHandler ssl = tls.newHandler(ch.alloc(), peer.address().getHostString(), peer.address().getPort());
            ssl.setHandshakeTimeoutMillis(context.connectTimeout.toMillis());
            p.addLast("tls", ssl);
        }
        p.addLast("frameDecoder", Framing.newDecoder(context.maxFrameSize));
        p.addLast("framePrepender", Framing.PREPENDER);
        p.addLast("protobufDecoder", ProtobufEnvelopeDecoder.INSTANCE);
        p.addLast("protobufEncoder", ProtobufEnvelopeEncoder.INSTANCE);
        p.addLast("peer", new OutboundConnectionHandler(context, peer));
    }
}
