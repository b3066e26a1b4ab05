package dev.keel.raft.transport.netty.internal;

import java.util.ArrayList;

import dev.keel.raft.log.LogEntry;

import dev.keel.raft.message.AppendEntriesRequest;

import dev.keel.raft.message.InstallSnapshotRequest;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.proto.v1.Envelope;
import dev.keel.raft.proto.v1.HandshakeResponse;
import dev.keel.raft.spi.InboundHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.keel.raft.transport.netty.internal.Frames.CLUSTER;
import static dev.keel.raft.transport.netty.internal.Frames.MAX_FRAME;
import static dev.keel.raft.transport.netty.internal.Frames.PEER;
import static dev.keel.raft.transport.netty.internal.Frames.SELF;
import static dev.keel.raft.transport.netty.internal.Frames.frame;
import static dev.keel.raft.transport.netty.internal.Frames.goodHandshake;
import static dev.keel.raft.transport.netty.internal.Frames.handshake;
import static dev.keel.raft.transport.netty.internal.Frames.message;
import static org.assertj.core.api.Assertions.assertThat;

/** The accepting side's whole pipeline (framing, codec, handshake, delivery) on an {@link EmbeddedChannel}. */
class InboundPipelineTest {
    private static final int VERSION = TransportContext.PROTOCOL_VERSION;
    private final Counters counters = new Counters();
    private final List<RaftMessage> delivered = new CopyOnWriteArrayList<>();
    private TransportContext context;
    private EmbeddedChannel ch;

    @BeforeEach
    void setUp() {
        context = Frames.context(counters);
        context.handler(new InboundHandler() {
            @Override
            public void onMessage(RaftMessage message) {
                delivered.add(message);
            }
        });
        ch = new EmbeddedChannel(new InboundChannelInitializer(context, null));
    }

    private HandshakeResponse onlyResponse() {
        List<Envelope> out = Frames.written(ch);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).hasHandshakeResponse()).isTrue();
        return out.get(0).getHandshakeResponse();
    }

    private void handshakeAccepted() {
        ch.writeInbound(frame(goodHandshake()));
        assertThat(onlyResponse().getAccepted()).isTrue();
    }

    @Test
    void aMemberOfTheClusterIsAcceptedAndItsMessagesDelivered() {
        handshakeAccepted();
        Heartbeat hb = new Heartbeat(PEER, SELF, 3, 7, 1);
        ch.writeInbound(frame(message(hb)));
        assertThat(delivered).containsExactly(hb);
        assertThat(ch.isOpen()).isTrue();
        assertThat(counters.snapshot().messagesReceived()).isEqualTo(1);
        assertThat(context.inboundConnections()).isEqualTo(1);
    }

    @Test
    void manyFramesInOneReadAreAllDelivered() {
        handshakeAccepted();
        ByteBuf batch = Unpooled.buffer();
        for (int i = 0; i < 100; i++) {
            ByteBuf f = frame(message(new Heartbeat(PEER, SELF, 3, i, 0)));
            batch.writeBytes(f);
            f.release();
        }
        ch.writeInbound(batch);
        assertThat(delivered).hasSize(100);
        assertThat(delivered).extracting(m -> ((Heartbeat) m).commitIndex()).isSorted();
    }

    @Test
    void aFrameSplitAcrossReadsIsReassembled() {
        handshakeAccepted();
        ByteBuf f = frame(message(new Heartbeat(PEER, SELF, 3, 7, 1)));
        ch.writeInbound(f.readRetainedSlice(3));
        assertThat(delivered).isEmpty();
        ch.writeInbound(f);
        assertThat(delivered).hasSize(1);
    }

    @Test
    void aSnapshotChunkInDirectMemoryIsDecodedIntactAlsoWhenSplitAcrossReads() {
        handshakeAccepted();
        byte[] data = new byte[48 * 1024];
        new java.util.Random(11).nextBytes(data);
        dev.keel.raft.log.SnapshotMetadata snapshot = new dev.keel.raft.log.SnapshotMetadata(40, 3,
                dev.keel.raft.Membership.of(List.of(dev.keel.raft.Member.of(PEER.value(), ""),
                        dev.keel.raft.Member.of(SELF.value(), "")), List.of()), 12, 100_000, 1);
        InstallSnapshotRequest chunk = new InstallSnapshotRequest(PEER, SELF, 4, snapshot, 4096, data, false);
        ch.writeInbound(direct(frame(message(chunk))));
        ByteBuf split = direct(frame(message(chunk)));
        ch.writeInbound(split.readRetainedSlice(20_000));
        ch.writeInbound(split);
        assertThat(delivered).containsExactly(chunk, chunk);
        assertThat(((InstallSnapshotRequest) delivered.get(0)).data()).isEqualTo(data);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aLargeFrameInDirectMemoryThatIsNotASnapshotChunkTakesTheGeneralPath() {
        handshakeAccepted();
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            entries.add(LogEntry.command(i, 3, new byte[1000]));
        }
        AppendEntriesRequest append = new AppendEntriesRequest(PEER, SELF, 3, 0, 0, entries, 0);
        ch.writeInbound(direct(frame(message(append))));
        assertThat(delivered).containsExactly(append);
    }

    private static ByteBuf direct(ByteBuf heap) {
        ByteBuf d = Unpooled.directBuffer(heap.readableBytes());
        d.writeBytes(heap);
        heap.release();
        return d;
    }

    @Test
    void aWrongClusterIdIsRefusedWithTheReasonAndTheConnectionClosed() {
        ch.writeInbound(frame(handshake("other-cluster", PEER.value(), SELF.value(), VERSION)));
        HandshakeResponse r = onlyResponse();
        assertThat(r.getAccepted()).isFalse();
        assertThat(r.getReason()).contains("cluster id mismatch").contains("other-cluster").contains(CLUSTER);
        assertThat(ch.isOpen()).isFalse();
        assertThat(counters.snapshot().handshakesRefused()).isEqualTo(1);
    }

    @Test
    void aNodeThatIsNotAMemberIsRefused() {
        ch.writeInbound(frame(handshake(CLUSTER, "intruder", SELF.value(), VERSION)));
        assertThat(onlyResponse().getReason()).contains("intruder").contains("not a member");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aNodeThatDialledTheWrongAddressIsRefused() {
        ch.writeInbound(frame(handshake(CLUSTER, PEER.value(), "someone-else", VERSION)));
        assertThat(onlyResponse().getReason()).contains("someone-else").contains("check the peer addresses");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anInvalidSenderIdIsRefused() {
        ch.writeInbound(frame(handshake(CLUSTER, "bad id!", SELF.value(), VERSION)));
        assertThat(onlyResponse().getReason()).contains("invalid sender id");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void theFirstProtocolVersionWhichHadNoRequestEntriesIsRefused() {
        ch.writeInbound(frame(handshake(CLUSTER, PEER.value(), SELF.value(), 1)));
        assertThat(onlyResponse().getReason()).contains("protocol version 1 is not supported");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anUnsupportedProtocolVersionIsRefused() {
        ch.writeInbound(frame(handshake(CLUSTER, PEER.value(), SELF.value(), 0)));
        assertThat(onlyResponse().getReason()).contains("protocol version 0");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aNewerProtocolVersionIsAnsweredWithTheVersionThisNodeSpeaks() {
        ch.writeInbound(frame(handshake(CLUSTER, PEER.value(), SELF.value(), 7)));
        HandshakeResponse r = onlyResponse();
        assertThat(r.getAccepted()).isTrue();
        assertThat(r.getProtocolVersion()).isEqualTo(VERSION);
    }

    @Test
    void aRaftMessageBeforeTheHandshakeIsRefused() {
        ch.writeInbound(frame(message(new Heartbeat(PEER, SELF, 1, 0, 0))));
        assertThat(onlyResponse().getReason()).contains("first frame must be a handshake");
        assertThat(ch.isOpen()).isFalse();
        assertThat(delivered).isEmpty();
    }

    @Test
    void aConnectionThatNeverHandshakesIsClosedAfterTheTimeout() {
        ch.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(onlyResponse().getReason()).contains("no handshake within");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void randomBytesCloseTheConnection() {
        Random random = new Random(42);
        byte[] junk = new byte[4096];
        random.nextBytes(junk);
        ch.writeInbound(Unpooled.wrappedBuffer(junk));
        assertThat(ch.isOpen()).isFalse();
        assertThat(delivered).isEmpty();
    }

    @Test
    void randomBytesInsideAValidFrameCloseTheConnectionAfterTheHandshake() {
        handshakeAccepted();
        Random random = new Random(7);
        int closed = 0;
        // Random bytes are occasionally valid protobuf; each attempt uses a fresh connection.
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[64];
            random.nextBytes(junk);
            ch.writeInbound(frame(junk));
            if (!ch.isOpen()) {
                closed++;
                setUp();
                handshakeAccepted();
            }
        }
        assertThat(closed).isGreaterThan(15);
        assertThat(delivered).isEmpty();
    }

    @Test
    void aFrameOfExactlyTheMaximumSizeIsAccepted() {
        handshakeAccepted();
        Heartbeat hb = new Heartbeat(PEER, SELF, 3, 7, 1);
        Envelope plain = message(hb);
        // Pad with an unknown field (ignored by readers) until the envelope is exactly MAX_FRAME bytes.
        Envelope padded = plain;
        for (int padding = MAX_FRAME - plain.getSerializedSize(); padded.getSerializedSize() != MAX_FRAME; padding--) {
            padded = plain.toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                    .addField(63, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(com.google.protobuf.ByteString.copyFrom(new byte[padding])).build())
                    .build()).build();
        }
        assertThat(padded.getSerializedSize()).isEqualTo(MAX_FRAME);
        ch.writeInbound(frame(padded));
        assertThat(delivered).containsExactly(hb);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aFrameLargerThanTheMaximumClosesTheConnectionBeforeItsBodyArrives() {
        handshakeAccepted();
        ByteBuf header = Unpooled.buffer(4).writeInt(MAX_FRAME + 1);
        ch.writeInbound(header);
        assertThat(ch.isOpen()).isFalse();
        assertThat(counters.snapshot().connectionsClosedOnError()).isEqualTo(1);
    }

    @Test
    void aConnectionEndingInTheMiddleOfAFrameIsReportedAsTruncated() {
        handshakeAccepted();
        ByteBuf partial = frame(message(new Heartbeat(PEER, SELF, 3, 7, 1)));
        partial.writerIndex(partial.writerIndex() - 3);
        ch.writeInbound(partial);
        assertThat(delivered).isEmpty();
        ch.finish();
        assertThat(counters.snapshot().connectionsClosedOnError()).isEqualTo(1);
    }

    @Test
    void aTruncatedProtobufInsideAFrameClosesTheConnection() {
        handshakeAccepted();
        byte[] whole = message(new Heartbeat(PEER, SELF, 3, 7, 1)).toByteArray();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 2);
        ch.writeInbound(frame(cut));
        assertThat(ch.isOpen()).isFalse();
        assertThat(counters.snapshot().connectionsClosedOnError()).isEqualTo(1);
    }

    @Test
    void aMessageThatFailsRecordValidationClosesTheConnectionWithoutDeliveringIt() {
        handshakeAccepted();
        Envelope bad = Envelope.newBuilder().setGroupId(Frames.GROUP).setFrom(PEER.value()).setTo(SELF.value())
                .setHeartbeat(dev.keel.raft.proto.v1.Heartbeat.newBuilder().setTerm(-5)).build();
        ch.writeInbound(frame(bad));
        assertThat(ch.isOpen()).isFalse();
        assertThat(delivered).isEmpty();
        assertThat(counters.snapshot().connectionsClosedOnError()).isEqualTo(1);
    }

    @Test
    void aFrameClaimingAnotherSenderAfterTheHandshakeClosesTheConnection() {
        handshakeAccepted();
        Envelope spoofed = message(new Heartbeat(NodeId.of("other"), SELF, 3, 7, 1));
        ch.writeInbound(frame(spoofed));
        assertThat(ch.isOpen()).isFalse();
        assertThat(delivered).isEmpty();
    }

    @Test
    void aSecondHandshakeClosesTheConnection() {
        handshakeAccepted();
        ch.writeInbound(frame(goodHandshake()));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aMessageForAnotherNodeIsDroppedAndTheConnectionKept() {
        handshakeAccepted();
        ch.writeInbound(frame(message(new Heartbeat(PEER, NodeId.of("elsewhere"), 3, 7, 1))));
        assertThat(delivered).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        assertThat(counters.snapshot().droppedInbound()).isEqualTo(1);
    }

    @Test
    void aMessageForAnotherGroupIsDroppedAndTheConnectionKept() {
        handshakeAccepted();
        ch.writeInbound(frame(MessageMapper.toEnvelope(new Heartbeat(PEER, SELF, 3, 7, 1), "other-group")));
        assertThat(delivered).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        assertThat(counters.snapshot().droppedInbound()).isEqualTo(1);
    }

    @Test
    void aMessageOfAKindFromANewerVersionIsDroppedAndTheConnectionKept() {
        handshakeAccepted();
        // An envelope whose body uses a number this version does not know parses with no body set.
        byte[] unknownBody = Envelope.newBuilder().setGroupId(Frames.GROUP).setFrom(PEER.value()).setTo(SELF.value())
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                        .addField(40, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("future")).build())
                        .build())
                .build().toByteArray();
        ch.writeInbound(frame(unknownBody));
        assertThat(delivered).isEmpty();
        assertThat(ch.isOpen()).isTrue();
        ch.writeInbound(frame(message(new Heartbeat(PEER, SELF, 3, 7, 1))));
        assertThat(delivered).hasSize(1);
    }

    @Test
    void aMismatchingClusterIdOnALaterFrameClosesTheConnection() {
        handshakeAccepted();
        Envelope other = message(new Heartbeat(PEER, SELF, 3, 7, 1)).toBuilder().setClusterId("other").build();
        ch.writeInbound(frame(other));
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void removingThePeerFromTheMembersClosesItsConnection() {
        handshakeAccepted();
        context.members(java.util.Set.of());
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }
}
