package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.proto.v1.Envelope;
import dev.keel.raft.proto.v1.HandshakeResponse;
import dev.keel.raft.testing.TransportContract;
import dev.keel.raft.spi.InboundHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.keel.raft.transport.netty.internal.Frames.PEER;
import static dev.keel.raft.transport.netty.internal.Frames.SELF;
import static dev.keel.raft.transport.netty.internal.Frames.frame;
import static org.assertj.core.api.Assertions.assertThat;

/** The connecting side's pipeline on an {@link EmbeddedChannel}, and both pipelines wired back to back. */
class OutboundPipelineTest {
    private static final int VERSION = TransportContext.PROTOCOL_VERSION;
    private final Counters counters = new Counters();
    private final Recorder listener = new Recorder();
    private TransportContext context;
    private EmbeddedChannel ch;

    @BeforeEach
    void setUp() {
        // This side is PEER connecting to SELF.
        context = new TransportContext(PEER, Frames.CLUSTER, Frames.GROUP, Frames.MAX_FRAME,
                java.time.Duration.ofSeconds(1), java.util.Set.of(SELF), counters);
        ch = new EmbeddedChannel(new OutboundChannelInitializer(context, null,
                new InetSocketAddress("127.0.0.1", 1), listener, context.peerMeters.of(SELF)));
    }

    private static Envelope response(boolean accepted, String reason, int version) {
        return Envelope.newBuilder().setClusterId(Frames.CLUSTER).setFrom(SELF.value()).setTo(PEER.value())
                .setHandshakeResponse(HandshakeResponse.newBuilder().setAccepted(accepted).setReason(reason)
                        .setProtocolVersion(version)).build();
    }

    @Test
    void theFirstFrameIsAHandshakeNamingClusterSenderAndAddressee() {
        List<Envelope> out = Frames.written(ch);
        assertThat(out).hasSize(1);
        Envelope hs = out.get(0);
        assertThat(hs.hasHandshake()).isTrue();
        assertThat(hs.getHandshake().getProtocolVersion()).isEqualTo(VERSION);
        assertThat(hs.getClusterId()).isEqualTo(Frames.CLUSTER);
        assertThat(hs.getFrom()).isEqualTo(PEER.value());
        assertThat(hs.getTo()).isEqualTo(SELF.value());
    }

    @Test
    void anAcceptedHandshakeIsReported() {
        ch.writeInbound(frame(response(true, "", VERSION)));
        assertThat(listener.events).containsExactly("accepted");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aRefusalClosesTheConnectionAndReportsThePeersReason() {
        ch.writeInbound(frame(response(false, "cluster id mismatch: ...", VERSION)));
        assertThat(ch.isOpen()).isFalse();
        assertThat(listener.events).containsExactly("failed: refused by the peer: cluster id mismatch: ...");
    }

    @Test
    void anAnswerInAnotherProtocolVersionFailsTheConnection() {
        ch.writeInbound(frame(response(true, "", VERSION + 1)));
        assertThat(ch.isOpen()).isFalse();
        assertThat(listener.events).singleElement().asString().contains("protocol version " + (VERSION + 1));
    }

    @Test
    void noAnswerWithinTheTimeoutFailsTheConnection() {
        ch.advanceTimeBy(1001, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(listener.events).singleElement().asString().contains("no handshake response within");
    }

    @Test
    void garbageInsteadOfAnAnswerFailsTheConnection() {
        ch.writeInbound(frame(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        assertThat(ch.isOpen()).isFalse();
        assertThat(listener.events).singleElement().asString().startsWith("failed: ");
    }

    @Test
    void aClassThatCannotBeInitializedIsReportedAsAFaultOfThisNodeNotAsAnUnreachablePeer() {
        // What a host application's protobuf 3 on Keel's class path caused before the transport bundled its own.
        NoClassDefFoundError broken = new NoClassDefFoundError("Could not initialize class dev.keel.raft.proto.v1.Envelope");
        ch.pipeline().fireExceptionCaught(broken);
        assertThat(ch.isOpen()).isFalse();
        assertThat(listener.localFault).isSameAs(broken);
        assertThat(listener.events).containsExactly("failed: java.lang.NoClassDefFoundError: Could not initialize"
                + " class dev.keel.raft.proto.v1.Envelope");
    }

    @Test
    void garbageFromThePeerIsNotAFaultOfThisNode() {
        ch.writeInbound(frame(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        assertThat(listener.events).hasSize(1);
        assertThat(listener.localFault).isNull();
    }

    @Test
    void aResetConnectionIsNotAFaultOfThisNode() {
        ch.pipeline().fireExceptionCaught(new java.io.IOException("Connection reset by peer"));
        assertThat(listener.events).containsExactly("failed: Connection reset by peer");
        assertThat(listener.localFault).isNull();
    }

    @Test
    void errorsAndUnexpectedExceptionsAreLocalFaultsAndNetworkTroubleIsNot() {
        assertThat(ConnectionErrors.isLocalFault(new ExceptionInInitializerError("static init"))).isTrue();
        assertThat(ConnectionErrors.isLocalFault(new NoClassDefFoundError("io/netty/channel/nio/NioIoHandler")))
                .isTrue();
        assertThat(ConnectionErrors.isLocalFault(new IllegalStateException("a bug"))).isTrue();
        assertThat(ConnectionErrors.isLocalFault(
                new io.netty.handler.codec.DecoderException(new LinkageError("bad class")))).isTrue();
        assertThat(ConnectionErrors.isLocalFault(new java.net.ConnectException("Connection refused"))).isFalse();
        assertThat(ConnectionErrors.isLocalFault(new javax.net.ssl.SSLHandshakeException("bad certificate")))
                .isFalse();
        assertThat(ConnectionErrors.isLocalFault(new io.netty.handler.codec.DecoderException("bad frame")))
                .isFalse();
        assertThat(ConnectionErrors.isLocalFault(new java.nio.channels.UnresolvedAddressException())).isFalse();
        assertThat(ConnectionErrors.isLocalFault(null)).isFalse();
    }

    @Test
    void aLostEstablishedConnectionIsReportedAsLostNotFailed() {
        ch.writeInbound(frame(response(true, "", VERSION)));
        ch.close();
        assertThat(listener.events).containsExactly("accepted", "lost");
    }

    @Test
    void messagesWrittenByOneSideAreDeliveredByTheOtherIntact() {
        // Wire the connecting pipeline (PEER) to a real accepting pipeline (SELF) through their bytes.
        List<RaftMessage> delivered = new ArrayList<>();
        TransportContext selfContext = Frames.context(new Counters());
        selfContext.handler(new InboundHandler() {
            @Override
            public void onMessage(RaftMessage message) {
                delivered.add(message);
            }
        });
        EmbeddedChannel server = new EmbeddedChannel(new InboundChannelInitializer(selfContext, null));
        pump(ch, server);
        pump(server, ch);
        assertThat(listener.events).containsExactly("accepted");

        List<RaftMessage> sent = TransportContract.sampleMessages(PEER, SELF);
        for (RaftMessage m : sent) {
            // What PeerConnection does: map to an envelope and write it; one flush for the batch.
            ch.write(MessageMapper.toEnvelope(m, Frames.GROUP));
        }
        ch.flush();
        pump(ch, server);
        assertThat(delivered).containsExactlyElementsOf(sent);
    }

    @Test
    void aLargeAppendEntriesSurvivesTheRoundTrip() {
        List<RaftMessage> delivered = new ArrayList<>();
        TransportContext selfContext = Frames.context(new Counters());
        selfContext.handler(delivered::add);
        EmbeddedChannel server = new EmbeddedChannel(new InboundChannelInitializer(selfContext, null));
        pump(ch, server);
        pump(server, ch);
        List<dev.keel.raft.log.LogEntry> entries = new ArrayList<>();
        for (int i = 1; i <= 64; i++) {
            byte[] data = new byte[128];
            java.util.Arrays.fill(data, (byte) i);
            entries.add(dev.keel.raft.log.LogEntry.command(i, 2, data));
        }
        AppendEntriesRequest big = new AppendEntriesRequest(PEER, SELF, 2, 0, 0, entries, 10);
        ch.writeAndFlush(MessageMapper.toEnvelope(big, Frames.GROUP));
        pump(ch, server);
        assertThat(delivered).containsExactly(big);
    }

    private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
        for (Object o; (o = from.readOutbound()) != null; ) {
            to.writeInbound((ByteBuf) o);
        }
    }

    private static final class Recorder implements OutboundListener {
        final List<String> events = new ArrayList<>();
        Throwable localFault;

        @Override
        public NodeId peer() {
            return SELF;
        }

        @Override
        public void handshakeAccepted(Channel ch) {
            events.add("accepted");
        }

        @Override
        public void connectionFailed(Channel ch, String reason, Throwable localFault) {
            events.add("failed: " + reason);
            this.localFault = localFault;
        }

        @Override
        public void connectionLost(Channel ch) {
            events.add("lost");
        }

        @Override
        public void writable() {
        }
    }
}
