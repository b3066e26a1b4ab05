package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.config.SecurityConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first handler on a TLS client port: looks at a new connection's first bytes. A TLS handshake is handed to an
 * {@link SslHandler} (which checks the client's certificate if the port requires one); anything else (a client that
 * does not speak TLS) gets a Redis error in plain text saying TLS is required, and the connection is closed, so that
 * nobody can use the port without TLS and a misconfigured client learns why. Either refusal is logged once.
 *
 * <p>Not sharable: one per connection.
 */
final class ClientTlsHandler extends ByteToMessageDecoder {
    /** A TLS record header is 5 bytes: enough to tell TLS from RESP. */
    private static final int PROBE_BYTES = 5;
    private static final byte[] TLS_REQUIRED = ("-ERR this port requires TLS: connect with TLS (redis-cli --tls)\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private final SslContext context;
    private final RefusalLog refusals;

    ClientTlsHandler(SslContext context, RefusalLog refusals) {
        this.context = context;
        this.refusals = refusals;
    }

    /**
     * The server-side TLS context of the client port.
     *
     * @throws IllegalArgumentException if the PEM files cannot be loaded, with the reason
     */
    static SslContext context(SecurityConfig.ClientTls tls) {
        try {
            SslContextBuilder b = SslContextBuilder
                    .forServer(tls.certificateChain().toFile(), tls.privateKey().toFile(), tls.privateKeyPassword())
                    .sslProvider(SslProvider.JDK)
                    .clientAuth(switch (tls.clientAuth()) {
                        case NONE -> ClientAuth.NONE;
                        case OPTIONAL -> ClientAuth.OPTIONAL;
                        case REQUIRED -> ClientAuth.REQUIRE;
                    });
            if (tls.trustedCertificates() != null) {
                b.trustManager(tls.trustedCertificates().toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load the client TLS material of " + tls + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < PROBE_BYTES) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            SslHandler ssl = context.newHandler(ctx.alloc());
            ssl.handshakeFuture().addListener(f -> {
                if (!f.isSuccess()) {
                    refusals.refused(ctx.channel().remoteAddress(), "TLS handshake failed: " + reason(f.cause()));
                }
            });
            ctx.pipeline().replace(this, "tls", ssl);
        } else {
            refusals.refused(ctx.channel().remoteAddress(), "connected without TLS to a TLS client port");
            in.skipBytes(in.readableBytes());
            ctx.writeAndFlush(Unpooled.wrappedBuffer(TLS_REQUIRED)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String reason(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() != null ? c.getMessage() : c.toString();
    }
}
