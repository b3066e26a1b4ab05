package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.log.SnapshotMetadata;

import dev.keel.raft.message.InstallSnapshotRequest;

import com.google.protobuf.ByteString;
import dev.keel.raft.NodeId;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.ReadIndexRequest;
import dev.keel.raft.proto.v1.Envelope;
import dev.keel.raft.proto.v1.Heartbeat;
import dev.keel.raft.proto.v1.VoteRequest;
import dev.keel.raft.testing.TransportContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageMapperTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");

    static List<RaftMessage> samples() {
        return TransportContract.sampleMessages(A, B);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyMessageSurvivesARoundTripThroughWireBytes(RaftMessage message) throws Exception {
        byte[] wire = MessageMapper.toEnvelope(message, "g1").toByteArray();
        Envelope decoded = Envelope.parseFrom(wire);

        assertThat(decoded.getFrom()).isEqualTo("a");
        assertThat(decoded.getTo()).isEqualTo("b");
        assertThat(decoded.getGroupId()).isEqualTo("g1");
        assertThat(MessageMapper.hasRaftBody(decoded)).isTrue();
        assertThat(MessageMapper.fromEnvelope(decoded, A, B)).isEqualTo(message);
    }

    @Test
    void theSamplesCoverEveryMessageType() {
        assertThat(samples()).extracting(m -> m.getClass().getSimpleName()).containsAll(
                List.of(RaftMessage.class.getPermittedSubclasses()).stream().map(Class::getSimpleName).toList());
    }

    @Test
    void aForwardedRequestOfAKindThisVersionDoesNotKnowDecodesAsUnsupportedInsteadOfFailingTheConnection()
            throws Exception {
        // What a newer node sends: a ForwardRequest whose request is a field this version has no name for.
        dev.keel.raft.proto.v1.ForwardRequest newer = dev.keel.raft.proto.v1.ForwardRequest.newBuilder()
                .setTerm(3).setRequestId(12)
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                        .addField(99, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(ByteString.copyFromUtf8("from the future")).build())
                        .build())
                .build();
        Envelope envelope = Envelope.parseFrom(Envelope.newBuilder().setFrom("a").setTo("b")
                .setForwardRequest(newer).build().toByteArray());

        assertThat(MessageMapper.hasRaftBody(envelope)).isTrue();
        assertThat(MessageMapper.fromEnvelope(envelope, A, B)).isEqualTo(new dev.keel.raft.message.ForwardRequest(
                A, B, 3, 12, new dev.keel.raft.message.ClientRequest.Unsupported(99)));
    }

    @Test
    void aForwardOutcomeThisVersionDoesNotKnowDecodesAsIndeterminate() throws Exception {
        Envelope envelope = Envelope.parseFrom(Envelope.newBuilder().setFrom("a").setTo("b")
                .setForwardResponse(dev.keel.raft.proto.v1.ForwardResponse.newBuilder().setTerm(3).setRequestId(5)
                        .setOutcomeValue(77).setDetail("new reason"))
                .build().toByteArray());

        dev.keel.raft.message.ForwardResponse r =
                (dev.keel.raft.message.ForwardResponse) MessageMapper.fromEnvelope(envelope, A, B);

        assertThat(r.outcome()).isEqualTo(dev.keel.raft.message.ForwardResponse.Outcome.INDETERMINATE);
        assertThat(r.detail()).contains("outcome 77").contains("new reason");
    }

    @Test
    void anOpaqueRequestIdRoundTripsBitForBitEvenWhenNegative() throws Exception {
        ReadIndexRequest message = new ReadIndexRequest(A, B, 1, -42);
        Envelope decoded = Envelope.parseFrom(MessageMapper.toEnvelope(message, "g").toByteArray());
        assertThat(MessageMapper.fromEnvelope(decoded, A, B)).isEqualTo(message);
    }

    @Test
    void entryDataIsCopiedOutOfTheWireMessage() {
        byte[] data = {1, 2, 3};
        AppendEntriesRequest message = new AppendEntriesRequest(A, B, 1, 0, 0, List.of(LogEntry.command(1, 1, data)), 0);
        Envelope envelope = MessageMapper.toEnvelope(message, "g");
        AppendEntriesRequest decoded = (AppendEntriesRequest) MessageMapper.fromEnvelope(envelope, A, B);
        assertThat(decoded.entries().get(0).data()).isEqualTo(data).isNotSameAs(data);
    }

    @Test
    void aParsedSnapshotChunksDataIsHandedOnWithoutAnotherCopy() throws Exception {
        byte[] data = new byte[100_000];
        new java.util.Random(7).nextBytes(data);
        SnapshotMetadata snapshot = new SnapshotMetadata(40, 3, dev.keel.raft.Membership.of(
                List.of(dev.keel.raft.Member.of("a", ""), dev.keel.raft.Member.of("b", "")), List.of()), 12, 200_000, 1);
        InstallSnapshotRequest chunk = new InstallSnapshotRequest(A, B, 4, snapshot, 0, data, false);
        Envelope parsed = Envelope.parseFrom(MessageMapper.toEnvelope(chunk, "g").toByteArray());

        InstallSnapshotRequest decoded = (InstallSnapshotRequest) MessageMapper.fromEnvelope(parsed, A, B);
        assertThat(decoded).isEqualTo(chunk);
        assertThat(decoded.data()).isEqualTo(data).isNotSameAs(data);
        ByteString field = parsed.getInstallSnapshotRequest().getData();
        assertThat(MessageMapper.ownedBytes(field)).as("the parser's own array, not a copy")
                .isSameAs(MessageMapper.ownedBytes(field));
    }

    @Test
    void bytesThatAreASliceOrInDirectMemoryAreCopied() {
        ByteString slice = ByteString.copyFrom(new byte[]{0, 1, 2, 3, 4, 5}).substring(2, 5);
        assertThat(MessageMapper.ownedBytes(slice)).containsExactly(2, 3, 4)
                .isNotSameAs(MessageMapper.ownedBytes(slice));
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(3).put(new byte[]{7, 8, 9}).flip();
        assertThat(MessageMapper.ownedBytes(com.google.protobuf.UnsafeByteOperations.unsafeWrap(direct)))
                .containsExactly(7, 8, 9);
        assertThat(MessageMapper.ownedBytes(ByteString.EMPTY)).isEmpty();
    }

    @Test
    void entriesThatDoNotFollowPrevLogIndexAreInvalidWireData() {
        Envelope envelope = Envelope.newBuilder().setFrom("a").setTo("b")
                .setAppendEntriesRequest(dev.keel.raft.proto.v1.AppendEntriesRequest.newBuilder()
                        .setTerm(2).setPrevLogIndex(5).setPrevLogTerm(1)
                        .addEntries(entry(7, 2, 1)))
                .build();
        assertThatThrownBy(() -> MessageMapper.fromEnvelope(envelope, A, B))
                .isInstanceOf(InvalidWireDataException.class)
                .hasMessageContaining("APPEND_ENTRIES_REQUEST").hasMessageContaining("consecutive");
    }

    @Test
    void anUnknownEntryTypeIsInvalidWireData() {
        Envelope envelope = Envelope.newBuilder().setFrom("a").setTo("b")
                .setAppendEntriesRequest(dev.keel.raft.proto.v1.AppendEntriesRequest.newBuilder()
                        .setTerm(2).addEntries(entry(1, 2, 99)))
                .build();
        assertThatThrownBy(() -> MessageMapper.fromEnvelope(envelope, A, B))
                .isInstanceOf(InvalidWireDataException.class).hasMessageContaining("99");
    }

    @Test
    void anUnspecifiedEntryTypeIsInvalidWireData() {
        Envelope envelope = Envelope.newBuilder().setFrom("a").setTo("b")
                .setAppendEntriesRequest(dev.keel.raft.proto.v1.AppendEntriesRequest.newBuilder()
                        .setTerm(2).addEntries(entry(1, 2, 0)))
                .build();
        assertThatThrownBy(() -> MessageMapper.fromEnvelope(envelope, A, B))
                .isInstanceOf(InvalidWireDataException.class);
    }

    @Test
    void aTermAbove2To63IsInvalidWireDataNotANegativeTerm() {
        // uint64 max arrives in Java as -1.
        Envelope envelope = Envelope.newBuilder().setFrom("a").setTo("b")
                .setHeartbeat(Heartbeat.newBuilder().setTerm(-1L))
                .build();
        assertThatThrownBy(() -> MessageMapper.fromEnvelope(envelope, A, B))
                .isInstanceOf(InvalidWireDataException.class).hasMessageContaining("term");
    }

    @Test
    void anEntryWithIndexZeroIsInvalidWireData() {
        Envelope envelope = Envelope.newBuilder().setFrom("a").setTo("b")
                .setAppendEntriesRequest(dev.keel.raft.proto.v1.AppendEntriesRequest.newBuilder()
                        .setTerm(2).addEntries(entry(0, 2, 1)))
                .build();
        assertThatThrownBy(() -> MessageMapper.fromEnvelope(envelope, A, B))
                .isInstanceOf(InvalidWireDataException.class);
    }

    @Test
    void aHandshakeOrAnEmptyBodyIsNotARaftMessage() {
        Envelope empty = Envelope.newBuilder().setFrom("a").setTo("b").build();
        Envelope handshake = Envelope.newBuilder().setFrom("a").setTo("b")
                .setHandshake(dev.keel.raft.proto.v1.Handshake.newBuilder().setProtocolVersion(2)).build();
        assertThat(MessageMapper.hasRaftBody(empty)).isFalse();
        assertThat(MessageMapper.hasRaftBody(handshake)).isFalse();
        assertThatThrownBy(() -> MessageMapper.fromEnvelope(empty, A, B))
                .isInstanceOf(InvalidWireDataException.class).hasMessageContaining("BODY_NOT_SET");
    }

    @Test
    void unknownFieldsFromANewerSenderAreIgnored() throws Exception {
        // Rule 2 of raft.proto: a field added later must not break an old reader.
        byte[] withExtraField = VoteRequest.newBuilder().setTerm(3).setLastLogIndex(4).setLastLogTerm(2).build()
                .toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                        .addField(99, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(7).build())
                        .build()).build().toByteArray();
        Envelope envelope = Envelope.newBuilder().setFrom("a").setTo("b")
                .setVoteRequest(VoteRequest.parseFrom(withExtraField)).build();
        assertThat(MessageMapper.fromEnvelope(envelope, A, B))
                .isEqualTo(new dev.keel.raft.message.VoteRequest(A, B, 3, 4, 2, false));
    }

    private static dev.keel.raft.proto.v1.LogEntry entry(long index, long term, int type) {
        return dev.keel.raft.proto.v1.LogEntry.newBuilder().setIndex(index).setTerm(term).setTypeValue(type)
                .setData(ByteString.copyFromUtf8("x")).build();
    }
}
