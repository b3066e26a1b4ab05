package dev.keel.raft.transport.netty.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import dev.keel.raft.NodeId;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.proto.v1.Envelope;
import dev.keel.raft.testing.TransportContract;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written AppendEntries codec must agree with the generated code, byte for byte and on every input. */
class AppendEntriesWireTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    static List<AppendEntriesRequest> samples() {
        List<AppendEntriesRequest> list = new ArrayList<>();
        for (RaftMessage m : TransportContract.sampleMessages(A, B)) {
            if (m instanceof AppendEntriesRequest ae) {
                list.add(ae);
            }
        }
        Random random = new Random(5);
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] data = new byte[random.nextInt(300)];
            random.nextBytes(data);
            entries.add(i % 7 == 0 ? LogEntry.noOp(1L + Integer.MAX_VALUE + i, 9) : LogEntry.command(1L + Integer.MAX_VALUE + i, 9, data));
        }
        list.add(new AppendEntriesRequest(A, B, Long.MAX_VALUE, Integer.MAX_VALUE, 8, entries, 1L << 40));
        return list;
    }

    private static byte[] fastBytes(AppendEntriesRequest m, String group) throws Exception {
        byte[] out = new byte[AppendEntriesWire.envelopeSize(m, group)];
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        AppendEntriesWire.writeEnvelope(m, group, cos);
        cos.checkNoSpaceLeft();
        return out;
    }

    @Test
    void theFastEncoderWritesExactlyTheBytesOfTheGeneratedCode() throws Exception {
        for (AppendEntriesRequest m : samples()) {
            assertThat(fastBytes(m, "g")).isEqualTo(MessageMapper.toEnvelope(m, "g").toByteArray());
            assertThat(AppendEntriesWire.envelopeSize(m, "g"))
                    .isEqualTo(MessageMapper.toEnvelope(m, "g").getSerializedSize());
        }
    }

    @Test
    void theFastDecoderReadsWhatTheGeneratedCodeWrites() throws Exception {
        for (AppendEntriesRequest m : samples()) {
            Envelope envelope = MessageMapper.toEnvelope(m, "g").toBuilder().setClusterId("c").build();
            AppendEntriesWire.Decoded d = AppendEntriesWire.tryDecode(CodedInputStream.newInstance(envelope.toByteArray()));
            assertThat(d).isNotNull();
            assertThat(d.clusterId()).isEqualTo("c");
            assertThat(d.groupId()).isEqualTo("g");
            assertThat(d.from()).isEqualTo("a");
            assertThat(d.to()).isEqualTo("b");
            assertThat(MessageMapper.fromDecoded(d, A, B)).isEqualTo(m);
        }
    }

    @Test
    void otherBodiesAndRepeatedBodiesAreLeftToTheGeneratedParser() throws Exception {
        for (RaftMessage m : TransportContract.sampleMessages(A, B)) {
            if (!(m instanceof AppendEntriesRequest)) {
                byte[] bytes = MessageMapper.toEnvelope(m, "g").toByteArray();
                assertThat(AppendEntriesWire.tryDecode(CodedInputStream.newInstance(bytes))).isNull();
            }
        }
        // Two AppendEntries bodies in one envelope: protobuf merges them; the fast path must not guess.
        AppendEntriesRequest m = samples().get(0);
        byte[] once = MessageMapper.toEnvelope(m, "g").toByteArray();
        byte[] twice = new byte[once.length * 2];
        System.arraycopy(once, 0, twice, 0, once.length);
        System.arraycopy(once, 0, twice, once.length, once.length);
        assertThat(AppendEntriesWire.tryDecode(CodedInputStream.newInstance(twice))).isNull();
    }

    @Test
    void unknownFieldsAtEveryLevelAreSkippedLikeTheGeneratedCodeDoes() throws Exception {
        UnknownFieldSet extra = UnknownFieldSet.newBuilder()
                .addField(90, UnknownFieldSet.Field.newBuilder().addVarint(5).build())
                .addField(91, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build())
                .addField(92, UnknownFieldSet.Field.newBuilder().addFixed64(7).build())
                .build();
        AppendEntriesRequest m = samples().get(0);
        Envelope plain = MessageMapper.toEnvelope(m, "g");
        var body = plain.getAppendEntriesRequest().toBuilder().setUnknownFields(extra);
        for (int i = 0; i < body.getEntriesCount(); i++) {
            body.setEntries(i, body.getEntries(i).toBuilder().setUnknownFields(extra));
        }
        Envelope decorated = plain.toBuilder().setAppendEntriesRequest(body).setUnknownFields(extra).build();
        AppendEntriesWire.Decoded d =
                AppendEntriesWire.tryDecode(CodedInputStream.newInstance(decorated.toByteArray()));
        assertThat(MessageMapper.fromDecoded(d, A, B)).isEqualTo(m);
    }

    /**
     * Mutated frames: whatever the generated parser and mapper make of them (a record, or a rejection), the decoder
     * the pipeline uses (fast path with fallback) makes the same.
     */
    @Test
    void onRandomlyCorruptedFramesTheFastPathAgreesWithTheGeneratedParser() throws Exception {
        Random random = new Random(2024);
        List<AppendEntriesRequest> samples = samples();
        int agreedOnRecords = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] bytes = MessageMapper.toEnvelope(samples.get(round % samples.size()), "g").toByteArray();
            int mutations = 1 + random.nextInt(3);
            for (int i = 0; i < mutations; i++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            String viaGenerated = outcome(() -> {
                Envelope e = Envelope.parseFrom(bytes);
                return e.hasAppendEntriesRequest() && e.getFrom().equals("a") && e.getTo().equals("b")
                        ? MessageMapper.fromEnvelope(e, A, B) : e.getBodyCase();
            });
            String viaPipelineDecoder = outcome(() -> {
                List<Object> out = new ArrayList<>();
                ProtobufEnvelopeDecoder.INSTANCE.decode(null, Unpooled.wrappedBuffer(bytes), out);
                Object o = out.get(0);
                if (o instanceof AppendEntriesWire.Decoded d) {
                    return d.from().equals("a") && d.to().equals("b") ? MessageMapper.fromDecoded(d, A, B)
                            : Envelope.BodyCase.APPEND_ENTRIES_REQUEST;
                }
                Envelope e = (Envelope) o;
                return e.hasAppendEntriesRequest() && e.getFrom().equals("a") && e.getTo().equals("b")
                        ? MessageMapper.fromEnvelope(e, A, B) : e.getBodyCase();
            });
            assertThat(viaPipelineDecoder).as("round %d", round).isEqualTo(viaGenerated);
            if (viaGenerated.startsWith("AppendEntriesRequest")) {
                agreedOnRecords++;
            }
        }
        // The corruption must leave enough frames decodable for the comparison to mean something.
        assertThat(agreedOnRecords).isGreaterThan(300);
    }

    private interface Attempt {
        Object run() throws Exception;
    }

    /** "rejected" for any failure (the connection would close), otherwise the result with entry data spelled out. */
    private static String outcome(Attempt attempt) {
        try {
            Object result = attempt.run();
            if (result instanceof AppendEntriesRequest ae) {
                StringBuilder sb = new StringBuilder(ae.toString());
                ae.entries().forEach(e -> sb.append(' ').append(e.index()).append('/').append(e.term()).append('/')
                        .append(e.type()).append('/').append(java.util.Arrays.hashCode(e.data())));
                return sb.toString();
            }
            return String.valueOf(result);
        } catch (Exception e) {
            return "rejected";
        }
    }
}
