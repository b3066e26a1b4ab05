package dev.keel.raft.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * Builds the pipeline of a connection a peer opened to this node:
 * byte counter - [TLS] - frame decoder - frame prepender - protobuf decoder - protobuf encoder - {@link InboundConnectionHandler}.
 * The encoder side carries only the handshake response.
 */
public final class InboundChannelInitializer extends ChannelInitializer<Channel> {
    private final TransportContext context;
    private final SslContext tls;

    public InboundChannelInitializer(TransportContext context, SslContext tls) {
        this.context = context;
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(ByteCounter.NAME, new ByteCounter(null));
        if (tls != null) {
            SslHandler ssl = tls.newHandler(ch.alloc());
            ssl.setHandshakeTimeoutMillis(context.connectTimeout.toMillis());
            p.addLast("tls", ssl);
        }
        p.addLast("frameDecoder", Framing.newDecoder(context.maxFrameSize));
        p.addLast("framePrepender", Framing.PREPENDER);
        p.addLast("protobufDecoder", ProtobufEnvelopeDecoder.INSTANCE);
        p.addLast("protobufEncoder", ProtobufEnvelopeEncoder.INSTANCE);
        p.addLast("connection", new InboundConnectionHandler(context));
    }
}
