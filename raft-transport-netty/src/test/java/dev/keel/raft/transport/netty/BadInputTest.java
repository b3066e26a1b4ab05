package dev.keel.raft.transport.netty;

import dev.keel.raft.testing.Await;
import dev.keel.raft.NodeId;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.proto.v1.Envelope;
import dev.keel.raft.proto.v1.Handshake;
import dev.keel.raft.proto.v1.HandshakeResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Raw sockets send garbage to a running node: each bad connection is closed, the node stays up, and it keeps
 * exchanging messages with its good peer.
 */
class BadInputTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final int MAX_FRAME = 64 * 1024;

    private LocalCluster cluster;
    private InetSocketAddress target;

    @BeforeEach
    void setUp() {
        cluster = LocalCluster.of(b -> b.maxFrameSize(MAX_FRAME), A, B);
        cluster.awaitDelivery(A, B, 1);
        cluster.awaitDelivery(B, A, 1);
        target = cluster.get(A).localAddress();
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(target, 2000);
        s.setSoTimeout(5000);
        return s;
    }

    /** Reads until the server closes the connection; fails if it does not within the socket timeout. */
    private static void assertClosedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[1024];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the node did not close the connection", e);
        } catch (IOException reset) {
            // Closed with unread data pending: the kernel resets instead of a clean FIN. Closed all the same.
        }
    }

    private static void writeFrame(DataOutputStream out, Envelope e) throws IOException {
        byte[] body = e.toByteArray();
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    private static HandshakeResponse readResponse(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return Envelope.parseFrom(body).getHandshakeResponse();
    }

    private static Envelope handshake(String cluster, String from, String to) {
        return Envelope.newBuilder().setClusterId(cluster).setFrom(from).setTo(to)
                .setHandshake(Handshake.newBuilder().setProtocolVersion(2)).build();
    }

    private void assertStillExchangingMessages(long term) {
        cluster.awaitDelivery(A, B, term);
        cluster.awaitDelivery(B, A, term);
    }

    @Test
    void randomBytesCloseTheConnectionAndTheNodeKeepsWorking() throws IOException {
        byte[] junk = new byte[8192];
        new Random(1234).nextBytes(junk);
        try (Socket s = connect()) {
            s.getOutputStream().write(junk);
            assertClosedByServer(s);
        }
        assertStillExchangingMessages(2);
    }

    @Test
    void aFrameLargerThanTheMaximumClosesTheConnectionAndTheNodeKeepsWorking() throws IOException {
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            writeFrame(out, handshake(LocalCluster.CLUSTER, B.value(), A.value()));
            assertThat(readResponse(s).getAccepted()).isTrue();
            out.writeInt(MAX_FRAME + 1);
            out.write(new byte[1024]);
            out.flush();
            assertClosedByServer(s);
        }
        Await.until("the oversized frame to be counted",
                () -> cluster.get(A).stats().connectionsClosedOnError() >= 1);
        assertStillExchangingMessages(3);
    }

    @Test
    void aTruncatedFrameIsDetectedAndTheNodeKeepsWorking() throws IOException {
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            writeFrame(out, handshake(LocalCluster.CLUSTER, B.value(), A.value()));
            assertThat(readResponse(s).getAccepted()).isTrue();
            out.writeInt(500);
            out.write(new byte[100]);
            out.flush();
        }
        Await.until("the truncated frame to be counted",
                () -> cluster.get(A).stats().connectionsClosedOnError() >= 1);
        assertStillExchangingMessages(4);
    }

    @Test
    void aValidFrameWithTheWrongClusterIdIsRefusedAndTheNodeKeepsWorking() throws IOException {
        try (Socket s = connect()) {
            writeFrame(new DataOutputStream(s.getOutputStream()), handshake("another-cluster", B.value(), A.value()));
            HandshakeResponse r = readResponse(s);
            assertThat(r.getAccepted()).isFalse();
            assertThat(r.getReason()).contains("cluster id mismatch");
            assertClosedByServer(s);
        }
        assertThat(cluster.get(A).stats().handshakesRefused()).isEqualTo(1);
        assertStillExchangingMessages(5);
    }

    @Test
    void aFrameFromAnUnknownNodeIsRefusedAndNothingItSendsIsDelivered() throws IOException {
        NodeId stranger = NodeId.of("stranger");
        try (Socket s = connect()) {
            // The handshake and a message in one write, without waiting for the answer, as a hostile client would.
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            writeFrame(out, handshake(LocalCluster.CLUSTER, stranger.value(), A.value()));
            writeFrame(out, dev.keel.raft.transport.netty.internal.MessageMapper.toEnvelope(
                    new Heartbeat(stranger, A, 99, 0, 0), NettyTransportConfig.DEFAULT_GROUP_ID));
            s.getOutputStream().write(bytes.toByteArray());
            HandshakeResponse r = readResponse(s);
            assertThat(r.getAccepted()).isFalse();
            assertThat(r.getReason()).contains("not a member");
            assertClosedByServer(s);
        }
        assertStillExchangingMessages(6);
        assertThat(cluster.inbox(A).has(m -> m.from().equals(stranger))).isFalse();
    }

    @Test
    void aMessageThatFailsValidationClosesOnlyThatConnection() throws IOException {
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            writeFrame(out, handshake(LocalCluster.CLUSTER, B.value(), A.value()));
            assertThat(readResponse(s).getAccepted()).isTrue();
            writeFrame(out, Envelope.newBuilder().setGroupId(NettyTransportConfig.DEFAULT_GROUP_ID)
                    .setFrom(B.value()).setTo(A.value())
                    .setHeartbeat(dev.keel.raft.proto.v1.Heartbeat.newBuilder().setTerm(-1)).build());
            assertClosedByServer(s);
        }
        assertStillExchangingMessages(7);
        assertThat(cluster.inbox(A).has(m -> m.term() < 0)).isFalse();
    }

    @Test
    void aFloodOfBadConnectionsLeavesTheNodeServingItsPeer() throws IOException {
        Random random = new Random(99);
        for (int i = 0; i < 30; i++) {
            try (Socket s = connect()) {
                byte[] junk = new byte[1 + random.nextInt(2000)];
                random.nextBytes(junk);
                s.getOutputStream().write(junk);
            }
        }
        assertStillExchangingMessages(8);
    }
}
