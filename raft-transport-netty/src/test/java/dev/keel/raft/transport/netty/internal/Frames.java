package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.proto.v1.Envelope;
import dev.keel.raft.proto.v1.Handshake;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builders of raw frames and contexts for the handler tests. */
final class Frames {
    static final NodeId SELF = NodeId.of("self");
    static final NodeId PEER = NodeId.of("peer");
    static final String CLUSTER = "c1";
    static final String GROUP = "g1";
    static final int MAX_FRAME = 64 * 1024;

    private Frames() {
    }

    static TransportContext context(Counters counters) {
        return new TransportContext(SELF, CLUSTER, GROUP, MAX_FRAME, Duration.ofSeconds(1), Set.of(PEER), counters);
    }

    /** A length-prefixed frame holding {@code payload}. */
    static ByteBuf frame(byte[] payload) {
        ByteBuf buf = Unpooled.buffer(4 + payload.length);
        buf.writeInt(payload.length).writeBytes(payload);
        return buf;
    }

    static ByteBuf frame(Envelope envelope) {
        return frame(envelope.toByteArray());
    }

    static Envelope handshake(String cluster, String from, String to, int version) {
        return Envelope.newBuilder().setClusterId(cluster).setGroupId(GROUP).setFrom(from).setTo(to)
                .setHandshake(Handshake.newBuilder().setProtocolVersion(version)).build();
    }

    static Envelope goodHandshake() {
        return handshake(CLUSTER, PEER.value(), SELF.value(), TransportContext.PROTOCOL_VERSION);
    }

    static Envelope message(RaftMessage m) {
        return MessageMapper.toEnvelope(m, GROUP);
    }

    /** Every frame the channel wrote, decoded. */
    static List<Envelope> written(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        List<Envelope> out = new ArrayList<>();
        while (all.readableBytes() >= 4) {
            int length = all.readInt();
            out.add(ProtobufEnvelopeDecoder.parse(all.readSlice(length)));
        }
        all.release();
        return out;
    }
}
