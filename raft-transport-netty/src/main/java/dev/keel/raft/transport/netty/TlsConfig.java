package dev.keel.raft.transport.netty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS material for a {@link NettyTransport}, as PEM files. Every node presents {@code certificateChain}
 * (with the key in {@code privateKey}) both when it connects and when it accepts, and accepts a peer only if the
 * peer's certificate chains to one of {@code trustedCertificates}: a node without a certificate the cluster trusts
 * can neither send to nor receive from it.
 *
 * <p>The files are read when the transport is built; replacing them on disk has no effect on a running transport.
 *
 * @param certificateChain    PEM file with this node's certificate, followed by any intermediates
 * @param privateKey          PEM file with the PKCS#8 private key of that certificate
 * @param privateKeyPassword  password of an encrypted private key, or {@code null} for an unencrypted one
 * @param trustedCertificates PEM file with the certificate authorities peers' certificates must chain to
 * @param verifyHostname      whether a connecting node also checks that the accepting node's certificate names the
 *                            host or IP address it dialled (subject alternative name); on by default
 */
public record TlsConfig(Path certificateChain, Path privateKey, String privateKeyPassword, Path trustedCertificates,
                        boolean verifyHostname) {

    /**
     * @throws IllegalArgumentException if a file is missing or unreadable, saying which
     */
    public TlsConfig {
        requireReadable("certificateChain", certificateChain);
        requireReadable("privateKey", privateKey);
        requireReadable("trustedCertificates", trustedCertificates);
    }

    /** Mutual TLS with an unencrypted key and host name verification on. */
    public static TlsConfig mutual(Path certificateChain, Path privateKey, Path trustedCertificates) {
        return new TlsConfig(certificateChain, privateKey, null, trustedCertificates, true);
    }

    /** A copy with {@code password} for an encrypted private key. */
    public TlsConfig withPrivateKeyPassword(String password) {
        return new TlsConfig(certificateChain, privateKey, Objects.requireNonNull(password, "password"),
                trustedCertificates, verifyHostname);
    }

    /**
     * A copy with host name verification switched on or off. Switch it off only when peers' certificates do not
     * carry their addresses; the certificate is still checked against the trusted authorities.
     */
    public TlsConfig withHostnameVerification(boolean verify) {
        return new TlsConfig(certificateChain, privateKey, privateKeyPassword, trustedCertificates, verify);
    }

    @Override
    public String toString() {
        // Never print the password.
        return "TlsConfig[certificateChain=" + certificateChain + ", privateKey=" + privateKey
                + ", trustedCertificates=" + trustedCertificates + ", verifyHostname=" + verifyHostname + "]";
    }

    private static void requireReadable(String name, Path file) {
        if (file == null) {
            throw new IllegalArgumentException("TLS " + name + " must be set to a PEM file");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("TLS " + name + " file " + file
                    + " does not exist or is not readable: give the path of a readable PEM file");
        }
    }
}
