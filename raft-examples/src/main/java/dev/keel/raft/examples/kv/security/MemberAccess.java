package dev.keel.raft.examples.kv.security;

import dev.keel.raft.examples.kv.config.SecurityConfig;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * How this node reaches other members' client ports (a joining node asking a seed): with TLS if the
 * client port uses it (presenting the node's client-port certificate, checking theirs against
 * {@code client_tls.trusted_certificates} and their address), and authenticated as {@link User#MEMBER} if
 * authentication is on. Every member is expected to have the same client-port settings.
 *
 * <p>Thread-safe: immutable.
 */
public final class MemberAccess {
    private static final MemberAccess OPEN = new MemberAccess(null, null);

    private final SslContext tls;
    private final String password;

    private MemberAccess(SslContext tls, String password) {
        this.tls = tls;
        this.password = password;
    }

    /** Plain TCP, no AUTH. */
    public static MemberAccess open() {
        return OPEN;
    }

    /**
     * From a node's security settings.
     *
     * @throws IllegalArgumentException if the TLS material cannot be loaded
     */
    public static MemberAccess of(SecurityConfig security) {
        SslContext tls = security.clientTls().map(MemberAccess::clientContext).orElse(null);
        return new MemberAccess(tls, security.memberPassword().orElse(null));
    }

    private static SslContext clientContext(SecurityConfig.ClientTls t) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .keyManager(t.certificateChain().toFile(), t.privateKey().toFile(), t.privateKeyPassword())
                    .endpointIdentificationAlgorithm("HTTPS")
                    .sslProvider(SslProvider.JDK);
            if (t.trustedCertificates() != null) {
                b.trustManager(t.trustedCertificates().toFile());
            }
            return b.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot load the client TLS material of " + t + ": " + e.getMessage(),
                    e);
        }
    }

    /** The TLS context for connections to members' client ports, if they use TLS. */
    public Optional<SslContext> tls() {
        return Optional.ofNullable(tls);
    }

    /** The RESP bytes of the AUTH command to send first, if authentication is on. */
    public Optional<byte[]> authCommand() {
        if (password == null) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder("*3\r\n");
        for (String a : new String[] {"AUTH", User.MEMBER, password}) {
            sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return Optional.of(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A blocking socket to a member's client port, over TLS if needed (the handshake is done on first use). */
    public Socket connect(InetSocketAddress address, int timeoutMillis) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(address, timeoutMillis);
            if (tls == null) {
                return plain;
            }
            SSLSocket s = (SSLSocket) ((JdkSslContext) tls).context().getSocketFactory()
                    .createSocket(plain, address.getHostString(), address.getPort(), true);
            SSLParameters params = s.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(params);
            return s;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }
}
