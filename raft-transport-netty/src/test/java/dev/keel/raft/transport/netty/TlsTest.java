package dev.keel.raft.transport.netty;

import dev.keel.raft.testing.Await;
import dev.keel.raft.NodeId;
import dev.keel.raft.message.Heartbeat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Mutual TLS between nodes, with certificates the test generates. */
class TlsTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");

    @TempDir
    Path dir;
    private TestPki pki;
    private LocalCluster cluster;

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.authority(dir, "keel-test");
    }

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private TlsConfig trusted(NodeId id) {
        try {
            return pki.node(id.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void nodesWithCertificatesFromTheClusterAuthorityExchangeEveryMessageType() {
        cluster = LocalCluster.perNode((id, b) -> b.tls(trusted(id)), A, B, C);
        cluster.awaitDelivery(A, B, 1);
        cluster.awaitDelivery(B, C, 1);
        cluster.awaitDelivery(C, A, 1);
        var samples = dev.keel.raft.testing.TransportContract.sampleMessages(A, B);
        samples.forEach(cluster.get(A)::send);
        Await.until("all samples over TLS", () -> cluster.inbox(B).received.containsAll(samples));
    }

    @Test
    void aNodeWithACertificateFromAnotherAuthorityCannotConnectAndTheOthersCarryOn() throws Exception {
        TestPki rogue = TestPki.authority(dir, "rogue");
        // c trusts the cluster authority (so it accepts a's certificate) but presents one a does not trust.
        TlsConfig rogueC = rogue.nodeTrusting("c", pki);
        cluster = LocalCluster.perNode((id, b) -> b.tls(id.equals(C) ? rogueC : trusted(id)), A, B, C);
        cluster.awaitDelivery(A, B, 1);

        Await.until("c's connection to a to fail", () -> {
            cluster.get(C).send(new Heartbeat(C, A, 1, 0, 0));
            return cluster.inbox(C).unreachable.contains(A);
        });
        assertThat(cluster.inbox(A).has(m -> m.from().equals(C))).isFalse();
        // c learns of the failed handshake on its side; a counts it on its own event loop, possibly a moment later.
        Await.until("a to count the refused connection", () -> cluster.get(A).stats().connectionsClosedOnError() > 0);
        // And a cannot reach c either: c's certificate fails a's check when a connects.
        Await.until("a's connection to c to fail", () -> {
            cluster.get(A).send(new Heartbeat(A, C, 1, 0, 0));
            return cluster.inbox(A).unreachable.contains(C);
        });
        assertThat(cluster.inbox(C).received).isEmpty();
        cluster.awaitDelivery(A, B, 2);
        cluster.awaitDelivery(B, A, 2);
    }

    @Test
    void aNodeWithoutTlsCannotTalkToATlsNode() {
        cluster = LocalCluster.perNode((id, b) -> id.equals(C) ? b : b.tls(trusted(id)), A, C);
        Await.until("c's plaintext connection to a to fail", () -> {
            cluster.get(C).send(new Heartbeat(C, A, 1, 0, 0));
            return cluster.inbox(C).unreachable.contains(A);
        });
        assertThat(cluster.inbox(A).received).isEmpty();
        Await.until("a's TLS connection to plaintext c to fail", () -> {
            cluster.get(A).send(new Heartbeat(A, C, 1, 0, 0));
            return cluster.inbox(A).unreachable.contains(C);
        });
        assertThat(cluster.inbox(C).received).isEmpty();
    }

    @Test
    void aCertificateThatDoesNotNameTheDialledAddressIsRejectedUnlessVerificationIsOff() throws Exception {
        TlsConfig wrongName = pki.node("b", "10.9.8.7");
        cluster = LocalCluster.perNode((id, b) -> b.tls(id.equals(B) ? wrongName : trusted(id)), A, B);
        Await.until("a to reject b's certificate", () -> {
            cluster.get(A).send(new Heartbeat(A, B, 1, 0, 0));
            return cluster.inbox(A).unreachable.contains(B);
        });
        assertThat(cluster.inbox(B).received).isEmpty();
        cluster.close();

        cluster = LocalCluster.perNode((id, b) -> b.tls(id.equals(B) ? wrongName
                : trusted(id).withHostnameVerification(false)), A, B);
        cluster.awaitDelivery(A, B, 1);
    }
}
