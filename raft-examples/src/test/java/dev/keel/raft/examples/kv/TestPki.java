package dev.keel.raft.examples.kv;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import javax.net.ssl.SSLSocketFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Certificates the tests make themselves (Netty's test PKI): an authority and certificates it issues for 127.0.0.1
 * and localhost, written as PEM files, as node.toml and redis-cli take them. Nothing is checked in.
 */
final class TestPki {
    /** A certificate with its key and the authority's certificate, as files. */
    record Pem(Path chain, Path key, Path ca) {
        /** A client socket factory presenting this certificate and trusting its authority. */
        SSLSocketFactory socketFactory() throws Exception {
            JdkSslContext ctx = (JdkSslContext) SslContextBuilder.forClient()
                    .keyManager(chain.toFile(), key.toFile()).trustManager(ca.toFile())
                    .sslProvider(SslProvider.JDK).build();
            return ctx.context().getSocketFactory();
        }
    }

    private final Path dir;
    private final String name;
    private final X509Bundle ca;
    private final Path caPem;

    TestPki(Path dir, String name) throws Exception {
        this.dir = dir;
        this.name = name;
        this.ca = new CertificateBuilder().subject("CN=" + name).setIsCertificateAuthority(true).ecp256()
                .buildSelfSigned();
        this.caPem = Files.writeString(dir.resolve(name + "-ca.pem"), ca.getCertificatePEM());
    }

    Path ca() {
        return caPem;
    }

    /** A certificate named {@code cn}, valid for 127.0.0.1 and localhost, issued by this authority. */
    Pem issue(String cn) throws Exception {
        X509Bundle cert = new CertificateBuilder().subject("CN=" + cn).addSanIpAddress("127.0.0.1")
                .addSanDnsName("localhost").ecp256().buildIssuedBy(ca);
        return new Pem(Files.writeString(dir.resolve(name + "-" + cn + "-chain.pem"), cert.getCertificatePathPEM()),
                Files.writeString(dir.resolve(name + "-" + cn + "-key.pem"), cert.getPrivateKeyPEM()), caPem);
    }
}
