package dev.keel.raft.transport.netty;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Certificates made by the tests themselves with Netty's test PKI: an authority, and node certificates it issues,
 * written as the PEM files {@link TlsConfig} takes. Nothing is checked in.
 */
final class TestPki {
    private final Path dir;
    private final X509Bundle ca;
    private final Path caPem;

    private TestPki(Path dir, String name) throws Exception {
        this.dir = dir;
        this.ca = new CertificateBuilder().subject("CN=" + name).setIsCertificateAuthority(true).ecp256()
                .buildSelfSigned();
        this.caPem = Files.writeString(dir.resolve(name + "-ca.pem"), ca.getCertificatePEM());
    }

    static TestPki authority(Path dir, String name) throws Exception {
        return new TestPki(dir, name);
    }

    /** A node certificate valid for 127.0.0.1 and localhost, trusting this authority. */
    TlsConfig node(String nodeName) throws Exception {
        return node(nodeName, "127.0.0.1");
    }

    /** A node certificate naming {@code ipAddress}, trusting this authority. */
    TlsConfig node(String nodeName, String ipAddress) throws Exception {
        X509Bundle cert = new CertificateBuilder().subject("CN=" + nodeName).addSanIpAddress(ipAddress)
                .addSanDnsName("localhost").ecp256().buildIssuedBy(ca);
        return TlsConfig.mutual(write(nodeName + "-chain.pem", cert.getCertificatePathPEM()),
                write(nodeName + "-key.pem", cert.getPrivateKeyPEM()), caPem);
    }

    /** A node certificate from this authority that trusts {@code other}'s authority instead. */
    TlsConfig nodeTrusting(String nodeName, TestPki other) throws Exception {
        TlsConfig own = node(nodeName);
        return TlsConfig.mutual(own.certificateChain(), own.privateKey(), other.caPem);
    }

    private Path write(String name, String pem) throws IOException {
        return Files.writeString(dir.resolve(name), pem);
    }
}
