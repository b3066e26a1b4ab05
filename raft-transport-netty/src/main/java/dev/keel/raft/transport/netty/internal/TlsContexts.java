package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.transport.netty.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;

/**
 * Netty {@link SslContext}s for mutual TLS from PEM files. The JDK provider, so that no native library is needed.
 *
 * @param server for connections peers open to this node: requires a client certificate
 * @param client for connections this node opens: presents this node's certificate
 */
public record TlsContexts(SslContext server, SslContext client) {

    /**
     * @throws IllegalArgumentException if the PEM files cannot be loaded, with the reason
     */
    public static TlsContexts load(TlsConfig tls) {
        try {
            SslContext server = SslContextBuilder
                    .forServer(tls.certificateChain().toFile(), tls.privateKey().toFile(), tls.privateKeyPassword())
                    .trustManager(tls.trustedCertificates().toFile())
                    .clientAuth(ClientAuth.REQUIRE)
                    .sslProvider(SslProvider.JDK)
                    .build();
            SslContext client = SslContextBuilder.forClient()
                    .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile(), tls.privateKeyPassword())
                    .trustManager(tls.trustedCertificates().toFile())
                    .endpointIdentificationAlgorithm(tls.verifyHostname() ? "HTTPS" : null)
                    .sslProvider(SslProvider.JDK)
                    .build();
            return new TlsContexts(server, client);
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load the TLS material of " + tls + ": " + e.getMessage(), e);
        }
    }
}
