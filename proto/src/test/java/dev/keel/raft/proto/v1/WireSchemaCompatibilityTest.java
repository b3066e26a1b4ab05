package dev.keel.raft.proto.v1;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import org.junit.jupiter.api.Test;

import java.util.TreeMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tripwire for the compatibility rules written at the top of {@code raft.proto}: every released field keeps its
 * number, name and type. Adding a field or an RPC means adding a line here; changing or removing one makes this
 * test fail, which is the point.
 */
class WireSchemaCompatibilityTest {

    /** message.field -> "number type", for every field released in v1. */
    private static final Map<String, String> RELEASED = new TreeMap<>(Map.ofEntries(
            Map.entry("Envelope.cluster_id", "1 STRING"),
            Map.entry("Envelope.group_id", "2 STRING"),
            Map.entry("Envelope.from", "3 STRING"),
            Map.entry("Envelope.to", "4 STRING"),
            Map.entry("Envelope.handshake", "10 MESSAGE"),
            Map.entry("Envelope.handshake_response", "11 MESSAGE"),
            Map.entry("Envelope.vote_request", "12 MESSAGE"),
            Map.entry("Envelope.vote_response", "13 MESSAGE"),
            Map.entry("Envelope.append_entries_request", "14 MESSAGE"),
            Map.entry("Envelope.append_entries_response", "15 MESSAGE"),
            Map.entry("Envelope.heartbeat", "16 MESSAGE"),
            Map.entry("Envelope.heartbeat_response", "17 MESSAGE"),
            Map.entry("Envelope.read_index_request", "18 MESSAGE"),
            Map.entry("Envelope.read_index_response", "19 MESSAGE"),
            Map.entry("Envelope.install_snapshot_request", "20 MESSAGE"),
            Map.entry("Envelope.install_snapshot_response", "21 MESSAGE"),
            Map.entry("SnapshotMetadata.index", "1 UINT64"),
            Map.entry("SnapshotMetadata.term", "2 UINT64"),
            Map.entry("SnapshotMetadata.members", "3 STRING"),
            Map.entry("SnapshotMetadata.size", "4 UINT64"),
            Map.entry("SnapshotMetadata.checksum", "5 UINT64"),
            Map.entry("SnapshotMetadata.membership", "6 BYTES"),
            Map.entry("SnapshotMetadata.membership_index", "7 UINT64"),
            Map.entry("Envelope.timeout_now", "22 MESSAGE"),
            Map.entry("Envelope.forward_request", "23 MESSAGE"),
            Map.entry("Envelope.forward_response", "24 MESSAGE"),
            Map.entry("ForwardRequest.term", "1 UINT64"),
            Map.entry("ForwardRequest.request_id", "2 UINT64"),
            Map.entry("ForwardRequest.command", "3 MESSAGE"),
            Map.entry("ForwardRequest.change_membership", "4 MESSAGE"),
            Map.entry("ForwardRequest.transfer_leadership", "5 MESSAGE"),
            Map.entry("ForwardRequest.open_session", "6 MESSAGE"),
            Map.entry("ForwardRequest.session_command", "7 MESSAGE"),
            Map.entry("ForwardRequest.keep_alive", "8 MESSAGE"),
            Map.entry("ForwardRequest.close_session", "9 MESSAGE"),
            Map.entry("SessionCommandRequest.session_id", "1 UINT64"),
            Map.entry("SessionCommandRequest.sequence", "2 UINT64"),
            Map.entry("SessionCommandRequest.acknowledged", "3 UINT64"),
            Map.entry("SessionCommandRequest.command", "4 BYTES"),
            Map.entry("KeepAliveRequest.session_id", "1 UINT64"),
            Map.entry("KeepAliveRequest.acknowledged", "2 UINT64"),
            Map.entry("CloseSessionRequest.session_id", "1 UINT64"),
            Map.entry("CommandRequest.command", "1 BYTES"),
            Map.entry("ChangeMembershipRequest.target", "1 BYTES"),
            Map.entry("ChangeMembershipRequest.expected_index", "2 UINT64"),
            Map.entry("TransferLeadershipRequest.target", "1 STRING"),
            Map.entry("ForwardResponse.term", "1 UINT64"),
            Map.entry("ForwardResponse.request_id", "2 UINT64"),
            Map.entry("ForwardResponse.outcome", "3 ENUM"),
            Map.entry("ForwardResponse.index", "4 UINT64"),
            Map.entry("ForwardResponse.result", "5 BYTES"),
            Map.entry("ForwardResponse.leader", "6 STRING"),
            Map.entry("ForwardResponse.detail", "7 STRING"),
            Map.entry("TimeoutNow.term", "1 UINT64"),
            Map.entry("VoteRequest.leadership_transfer", "5 BOOL"),
            Map.entry("InstallSnapshotRequest.term", "1 UINT64"),
            Map.entry("InstallSnapshotRequest.snapshot", "2 MESSAGE"),
            Map.entry("InstallSnapshotRequest.offset", "3 UINT64"),
            Map.entry("InstallSnapshotRequest.data", "4 BYTES"),
            Map.entry("InstallSnapshotRequest.done", "5 BOOL"),
            Map.entry("InstallSnapshotResponse.term", "1 UINT64"),
            Map.entry("InstallSnapshotResponse.snapshot_index", "2 UINT64"),
            Map.entry("InstallSnapshotResponse.status", "3 ENUM"),
            Map.entry("InstallSnapshotResponse.position", "4 UINT64"),
            Map.entry("Handshake.protocol_version", "1 UINT32"),
            Map.entry("HandshakeResponse.accepted", "1 BOOL"),
            Map.entry("HandshakeResponse.reason", "2 STRING"),
            Map.entry("HandshakeResponse.protocol_version", "3 UINT32"),
            Map.entry("LogEntry.index", "1 UINT64"),
            Map.entry("LogEntry.term", "2 UINT64"),
            Map.entry("LogEntry.type", "3 ENUM"),
            Map.entry("LogEntry.data", "4 BYTES"),
            Map.entry("VoteRequest.term", "1 UINT64"),
            Map.entry("VoteRequest.last_log_index", "2 UINT64"),
            Map.entry("VoteRequest.last_log_term", "3 UINT64"),
            Map.entry("VoteRequest.pre_vote", "4 BOOL"),
            Map.entry("VoteResponse.term", "1 UINT64"),
            Map.entry("VoteResponse.granted", "2 BOOL"),
            Map.entry("VoteResponse.pre_vote", "3 BOOL"),
            Map.entry("AppendEntriesRequest.term", "1 UINT64"),
            Map.entry("AppendEntriesRequest.prev_log_index", "2 UINT64"),
            Map.entry("AppendEntriesRequest.prev_log_term", "3 UINT64"),
            Map.entry("AppendEntriesRequest.leader_commit", "4 UINT64"),
            Map.entry("AppendEntriesRequest.entries", "5 MESSAGE"),
            Map.entry("AppendEntriesResponse.term", "1 UINT64"),
            Map.entry("AppendEntriesResponse.success", "2 BOOL"),
            Map.entry("AppendEntriesResponse.index", "3 UINT64"),
            Map.entry("AppendEntriesResponse.conflict_term", "4 UINT64"),
            Map.entry("AppendEntriesResponse.conflict_index", "5 UINT64"),
            Map.entry("Heartbeat.term", "1 UINT64"),
            Map.entry("Heartbeat.commit_index", "2 UINT64"),
            Map.entry("Heartbeat.read_seq", "3 UINT64"),
            Map.entry("HeartbeatResponse.term", "1 UINT64"),
            Map.entry("HeartbeatResponse.read_seq", "2 UINT64"),
            Map.entry("HeartbeatResponse.last_log_index", "3 UINT64"),
            Map.entry("ReadIndexRequest.term", "1 UINT64"),
            Map.entry("ReadIndexRequest.request_id", "2 UINT64"),
            Map.entry("ReadIndexResponse.term", "1 UINT64"),
            Map.entry("ReadIndexResponse.request_id", "2 UINT64"),
            Map.entry("ReadIndexResponse.success", "3 BOOL"),
            Map.entry("ReadIndexResponse.read_index", "4 UINT64")));

    private static final FileDescriptor FILE = RaftProto.getDescriptor();

    @Test
    void theSchemaIsVersionedByPackage() {
        assertThat(FILE.getPackage()).isEqualTo("keel.raft.v1");
    }

    @Test
    void everyReleasedFieldKeepsItsNumberNameAndType() {
        Map<String, String> actual = new TreeMap<>();
        for (Descriptor message : FILE.getMessageTypes()) {
            for (FieldDescriptor field : message.getFields()) {
                actual.put(message.getName() + "." + field.getName(), field.getNumber() + " " + field.getType());
            }
        }
        // containsAllEntriesOf: new fields are allowed (rule 2), changed or removed ones are not (rule 1).
        assertThat(actual).containsAllEntriesOf(RELEASED);
    }

    @Test
    void everyRpcHasABodyNumberBelowTheNextFreeOne() {
        Descriptor envelope = Envelope.getDescriptor();
        assertThat(envelope.getOneofs()).hasSize(1);
        assertThat(envelope.getOneofs().get(0).getFields())
                .allMatch(f -> f.getNumber() >= 10 && f.getNumber() < 25);
    }

    @Test
    void forwardOutcomeNumbersAreReleased() {
        // Pinned: ForwardResponse.Outcome in raft-core maps to these by name in the transport, but a renumbering here
        // would make an older node misread a newer one's answers.
        assertThat(ForwardOutcome.FORWARD_OUTCOME_UNSPECIFIED.getNumber()).isZero();
        assertThat(ForwardOutcome.FORWARD_OUTCOME_OK.getNumber()).isEqualTo(1);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_NOT_LEADER.getNumber()).isEqualTo(2);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_BUSY.getNumber()).isEqualTo(3);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_INDETERMINATE.getNumber()).isEqualTo(4);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_STOPPED.getNumber()).isEqualTo(5);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_CONFLICT.getNumber()).isEqualTo(6);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_INVALID.getNumber()).isEqualTo(7);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_TIMEOUT.getNumber()).isEqualTo(8);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_NOT_A_MEMBER.getNumber()).isEqualTo(9);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_UNSUPPORTED.getNumber()).isEqualTo(10);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_SESSION_EXPIRED.getNumber()).isEqualTo(11);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_SESSION_LIMIT.getNumber()).isEqualTo(12);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_SESSION_SEQUENCE.getNumber()).isEqualTo(13);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_SESSION_OUT_OF_ORDER.getNumber()).isEqualTo(14);
        assertThat(ForwardOutcome.FORWARD_OUTCOME_SESSION_FULL.getNumber()).isEqualTo(15);
    }

    @Test
    void entryTypeNumbersMatchTheCoreCodes() {
        // dev.keel.raft.log.EntryType: COMMAND(1), NO_OP(2), CONFIGURATION(3), REQUEST(4); proto cannot depend on raft-core, so the numbers are
        // pinned here and the transport's round-trip tests check the mapping.
        assertThat(EntryType.ENTRY_TYPE_UNSPECIFIED.getNumber()).isZero();
        assertThat(EntryType.ENTRY_TYPE_COMMAND.getNumber()).isEqualTo(1);
        assertThat(EntryType.ENTRY_TYPE_NO_OP.getNumber()).isEqualTo(2);
        assertThat(EntryType.ENTRY_TYPE_CONFIGURATION.getNumber()).isEqualTo(3);
        assertThat(EntryType.ENTRY_TYPE_REQUEST.getNumber()).isEqualTo(4);
    }
}
