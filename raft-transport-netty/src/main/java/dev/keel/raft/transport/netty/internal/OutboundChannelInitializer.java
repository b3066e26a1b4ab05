package dev.keel.raft.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.net.InetSocketAddress;

/**
 * Builds the pipeline of a connection this node opens to a peer:
 * byte counter - [TLS] - frame decoder - frame prepender - protobuf decoder - protobuf encoder - Raft message encoder -
 * {@link OutboundConnectionHandler}.
 */
final class OutboundChannelInitializer extends ChannelInitializer<Channel> {
    private final TransportContext context;
    private final SslContext tls;
    private final InetSocketAddress address;
    private final OutboundListener peer;
    private final PeerMeters meters;

    OutboundChannelInitializer(TransportContext context, SslContext tls, InetSocketAddress address,
                               OutboundListener peer, PeerMeters meters) {
        this.context = context;
        this.tls = tls;
        this.address = address;
        this.peer = peer;
        this.meters = meters;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(ByteCounter.NAME, new ByteCounter(meters));
        if (tls != null) {
            // Host and port let the TLS layer verify that the certificate names the address we dialled.
            SslHandler ssl = tls.newHandler(ch.alloc(), address.getHostString(), address.getPort());
            ssl.setHandshakeTimeoutMillis(context.connectTimeout.toMillis());
            p.addLast("tls", ssl);
        }
        p.addLast("frameDecoder", Framing.newDecoder(context.maxFrameSize));
        p.addLast("framePrepender", Framing.PREPENDER);
        p.addLast("protobufDecoder", ProtobufEnvelopeDecoder.INSTANCE);
        p.addLast("protobufEncoder", ProtobufEnvelopeEncoder.INSTANCE);
        p.addLast("messageEncoder", context.messageEncoder);
        p.addLast("peer", new OutboundConnectionHandler(context, peer));
    }
}
