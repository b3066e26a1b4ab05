package dev.keel.raft.transport.netty.internal;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.keel.raft.NodeId;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.proto.v1.InstallSnapshotStatus;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.ReadIndexRequest;
import dev.keel.raft.message.ReadIndexResponse;
import dev.keel.raft.message.VoteRequest;
import dev.keel.raft.message.VoteResponse;
import dev.keel.raft.proto.v1.Envelope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the core message records to protobuf {@link Envelope}s and back. Stateless and thread-safe.
 *
 * <p>Decoding never trusts the wire: whatever the records' constructors reject (negative terms, entries that do not
 * follow {@code prevLogIndex}, invalid node ids) and entry types this version does not know surface as
 * {@link InvalidWireDataException}, which closes the connection.
 */
public final class MessageMapper {
    private MessageMapper() {
    }

    /**
     * The envelope carrying {@code message} for {@code groupId}. The cluster id is left empty: the connection's
     * handshake already bound it (see raft.proto).
     *
     * <p>Entry data is wrapped, not copied: {@link LogEntry} data is immutable once built.
     */
    public static Envelope toEnvelope(RaftMessage message, String groupId) {
        Envelope.Builder b = Envelope.newBuilder()
                .setGroupId(groupId)
                .setFrom(message.from().value())
                .setTo(message.to().value());
        if (message instanceof AppendEntriesRequest m) {
            b.setAppendEntriesRequest(toProto(m));
        } else if (message instanceof AppendEntriesResponse m) {
            b.setAppendEntriesResponse(dev.keel.raft.proto.v1.AppendEntriesResponse.newBuilder()
                    .setTerm(m.term())
                    .setSuccess(m.success())
                    .setIndex(m.index())
                    .setConflictTerm(m.conflictTerm())
                    .setConflictIndex(m.conflictIndex()));
        } else if (message instanceof Heartbeat m) {
            b.setHeartbeat(dev.keel.raft.proto.v1.Heartbeat.newBuilder()
                    .setTerm(m.term())
                    .setCommitIndex(m.commitIndex())
                    .setReadSeq(m.readSeq()));
        } else if (message instanceof HeartbeatResponse m) {
            b.setHeartbeatResponse(dev.keel.raft.proto.v1.HeartbeatResponse.newBuilder()
                    .setTerm(m.term())
                    .setReadSeq(m.readSeq())
                    .setLastLogIndex(m.lastLogIndex()));
        } else if (message instanceof VoteRequest m) {
            b.setVoteRequest(dev.keel.raft.proto.v1.VoteRequest.newBuilder()
                    .setTerm(m.term())
                    .setLastLogIndex(m.lastLogIndex())
                    .setLastLogTerm(m.lastLogTerm())
                    .setPreVote(m.preVote())
                    .setLeadershipTransfer(m.transfer()));
        } else if (message instanceof VoteResponse m) {
            b.setVoteResponse(dev.keel.raft.proto.v1.VoteResponse.newBuilder()
                    .setTerm(m.term())
                    .setGranted(m.granted())
                    .setPreVote(m.preVote()));
        } else if (message instanceof ReadIndexRequest m) {
            b.setReadIndexRequest(dev.keel.raft.proto.v1.ReadIndexRequest.newBuilder()
                    .setTerm(m.term())
                    .setRequestId(m.requestId()));
        } else if (message instanceof ReadIndexResponse m) {
            b.setReadIndexResponse(dev.keel.raft.proto.v1.ReadIndexResponse.newBuilder()
                    .setTerm(m.term())
                    .setRequestId(m.requestId())
                    .setSuccess(m.success())
                    .setReadIndex(m.readIndex()));
        } else if (message instanceof InstallSnapshotRequest m) {
            b.setInstallSnapshotRequest(dev.keel.raft.proto.v1.InstallSnapshotRequest.newBuilder()
                    .setTerm(m.term())
                    .setSnapshot(toProto(m.snapshot()))
                    .setOffset(m.offset())
                    .setData(UnsafeByteOperations.unsafeWrap(m.data()))
                    .setDone(m.done()));
        } else if (message instanceof InstallSnapshotResponse m) {
            b.setInstallSnapshotResponse(dev.keel.raft.proto.v1.InstallSnapshotResponse.newBuilder()
                    .setTerm(m.term())
                    .setSnapshotIndex(m.snapshotIndex())
                    .setStatus(toProto(m.status()))
                    .setPosition(m.position()));
        } else if (message instanceof dev.keel.raft.message.TimeoutNow m) {
            b.setTimeoutNow(dev.keel.raft.proto.v1.TimeoutNow.newBuilder().setTerm(m.term()));
        } else if (message instanceof ForwardRequest m) {
            b.setForwardRequest(ForwardMapper.toProto(m));
        } else if (message instanceof ForwardResponse m) {
            b.setForwardResponse(ForwardMapper.toProto(m));
        } else {
            // RaftMessage is sealed, so only a new record type added to core without a mapping here gets this far.
            throw new IllegalArgumentException("no wire mapping for " + message.getClass().getName());
        }
        return b.build();
    }

    /**
     * Whether the envelope carries a Raft message this version knows. An envelope with no body set is one from a
     * newer version (see raft.proto rule 3); the caller drops it.
     */
    public static boolean hasRaftBody(Envelope envelope) {
        return switch (envelope.getBodyCase()) {
            case VOTE_REQUEST, VOTE_RESPONSE, APPEND_ENTRIES_REQUEST, APPEND_ENTRIES_RESPONSE, HEARTBEAT,
                    HEARTBEAT_RESPONSE, READ_INDEX_REQUEST, READ_INDEX_RESPONSE, INSTALL_SNAPSHOT_REQUEST,
                    INSTALL_SNAPSHOT_RESPONSE, TIMEOUT_NOW, FORWARD_REQUEST, FORWARD_RESPONSE -> true;
            case HANDSHAKE, HANDSHAKE_RESPONSE, BODY_NOT_SET -> false;
        };
    }

    /**
     * The record an envelope carries. {@code from} and {@code to} are passed in because the caller has already
     * checked the envelope's strings against the connection's handshake and this node's id, and holds them parsed.
     *
     * @throws InvalidWireDataException if the body is not a Raft message or violates the records' validation
     */
    public static RaftMessage fromEnvelope(Envelope envelope, NodeId from, NodeId to) {
        try {
            return switch (envelope.getBodyCase()) {
                case APPEND_ENTRIES_REQUEST -> appendEntries(envelope.getAppendEntriesRequest(), from, to);
                case APPEND_ENTRIES_RESPONSE -> {
                    var m = envelope.getAppendEntriesResponse();
                    yield new AppendEntriesResponse(from, to, m.getTerm(), m.getSuccess(), m.getIndex(),
                            m.getConflictTerm(), m.getConflictIndex());
                }
                case HEARTBEAT -> {
                    var m = envelope.getHeartbeat();
                    yield new Heartbeat(from, to, m.getTerm(), m.getCommitIndex(), m.getReadSeq());
                }
                case HEARTBEAT_RESPONSE -> {
                    var m = envelope.getHeartbeatResponse();
                    yield new HeartbeatResponse(from, to, m.getTerm(), m.getReadSeq(), m.getLastLogIndex());
                }
                case VOTE_REQUEST -> {
                    var m = envelope.getVoteRequest();
                    yield new VoteRequest(from, to, m.getTerm(), m.getLastLogIndex(), m.getLastLogTerm(),
                            m.getPreVote(), m.getLeadershipTransfer());
                }
                case VOTE_RESPONSE -> {
                    var m = envelope.getVoteResponse();
                    yield new VoteResponse(from, to, m.getTerm(), m.getGranted(), m.getPreVote());
                }
                case READ_INDEX_REQUEST -> {
                    var m = envelope.getReadIndexRequest();
                    yield new ReadIndexRequest(from, to, m.getTerm(), m.getRequestId());
                }
                case READ_INDEX_RESPONSE -> {
                    var m = envelope.getReadIndexResponse();
                    yield new ReadIndexResponse(from, to, m.getTerm(), m.getRequestId(), m.getSuccess(),
                            m.getReadIndex());
                }
                case INSTALL_SNAPSHOT_REQUEST -> {
                    var m = envelope.getInstallSnapshotRequest();
                    yield new InstallSnapshotRequest(from, to, m.getTerm(), fromProto(m.getSnapshot()), m.getOffset(),
                            ownedBytes(m.getData()), m.getDone());
                }
                case INSTALL_SNAPSHOT_RESPONSE -> {
                    var m = envelope.getInstallSnapshotResponse();
                    InstallSnapshotResponse.Status status = switch (m.getStatus()) {
                        case INSTALL_SNAPSHOT_STATUS_CONTINUE -> InstallSnapshotResponse.Status.CONTINUE;
                        case INSTALL_SNAPSHOT_STATUS_INSTALLED -> InstallSnapshotResponse.Status.INSTALLED;
                        case INSTALL_SNAPSHOT_STATUS_REJECTED -> InstallSnapshotResponse.Status.REJECTED;
                        default -> throw new InvalidWireDataException("unknown InstallSnapshot status "
                                + m.getStatusValue() + " from " + from);
                    };
                    yield new InstallSnapshotResponse(from, to, m.getTerm(), m.getSnapshotIndex(), status,
                            m.getPosition());
                }
                case TIMEOUT_NOW -> new dev.keel.raft.message.TimeoutNow(from, to, envelope.getTimeoutNow().getTerm());
                case FORWARD_REQUEST -> ForwardMapper.fromProto(envelope.getForwardRequest(), from, to);
                case FORWARD_RESPONSE -> ForwardMapper.fromProto(envelope.getForwardResponse(), from, to);
                case HANDSHAKE, HANDSHAKE_RESPONSE, BODY_NOT_SET -> throw new InvalidWireDataException(
                        "expected a Raft message from " + from + ", got " + envelope.getBodyCase());
            };
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidWireDataException("invalid " + envelope.getBodyCase() + " from " + from + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The AppendEntriesRequest a fast-decoded envelope carries; see {@link AppendEntriesWire}.
     *
     * @throws InvalidWireDataException if it violates the record's validation
     */
    static AppendEntriesRequest fromDecoded(AppendEntriesWire.Decoded d, NodeId from, NodeId to) {
        try {
            return new AppendEntriesRequest(from, to, d.term(), d.prevLogIndex(), d.prevLogTerm(), d.entries(),
                    d.leaderCommit());
        } catch (IllegalArgumentException e) {
            throw new InvalidWireDataException("invalid APPEND_ENTRIES_REQUEST from " + from + ": " + e.getMessage(), e);
        }
    }

    /** The AppendEntriesRequest body; entry data is wrapped, not copied (see {@link #toEnvelope}). */
    private static dev.keel.raft.proto.v1.AppendEntriesRequest toProto(AppendEntriesRequest m) {
        dev.keel.raft.proto.v1.AppendEntriesRequest.Builder body =
                dev.keel.raft.proto.v1.AppendEntriesRequest.newBuilder()
                        .setTerm(m.term())
                        .setPrevLogIndex(m.prevLogIndex())
                        .setPrevLogTerm(m.prevLogTerm())
                        .setLeaderCommit(m.leaderCommit());
        for (LogEntry e : m.entries()) {
            body.addEntries(dev.keel.raft.proto.v1.LogEntry.newBuilder()
                    .setIndex(e.index())
                    .setTerm(e.term())
                    .setTypeValue(e.type().code())
                    .setData(UnsafeByteOperations.unsafeWrap(e.data())));
        }
        return body.build();
    }

    private static InstallSnapshotStatus toProto(InstallSnapshotResponse.Status status) {
        return switch (status) {
            case CONTINUE -> InstallSnapshotStatus.INSTALL_SNAPSHOT_STATUS_CONTINUE;
            case INSTALLED -> InstallSnapshotStatus.INSTALL_SNAPSHOT_STATUS_INSTALLED;
            case REJECTED -> InstallSnapshotStatus.INSTALL_SNAPSHOT_STATUS_REJECTED;
        };
    }

    private static AppendEntriesRequest appendEntries(dev.keel.raft.proto.v1.AppendEntriesRequest m, NodeId from,
                                                      NodeId to) {
        List<LogEntry> entries = new ArrayList<>(m.getEntriesCount());
        for (dev.keel.raft.proto.v1.LogEntry e : m.getEntriesList()) {
            entries.add(new LogEntry(e.getIndex(), e.getTerm(), entryType(e.getTypeValue()),
                    e.getData().toByteArray()));
        }
        return new AppendEntriesRequest(from, to, m.getTerm(), m.getPrevLogIndex(), m.getPrevLogTerm(), entries,
                m.getLeaderCommit());
    }

    /**
     * A parsed bytes field as an array, without copying it again when possible: the parser (reading without
     * aliasing) gave the field an array of its own of exactly its length, which nothing else can reach once the
     * envelope is dropped, so it is handed on as is. Any other form (a slice of a larger array, direct memory) is
     * copied. Saves a copy and an allocation per snapshot chunk, whose data is by far most of a transfer's bytes.
     */
    static byte[] ownedBytes(ByteString bytes) {
        byte[][] whole = new byte[1][];
        try {
            UnsafeByteOperations.unsafeWriteTo(bytes, new ByteOutput() {
                @Override
                public void write(byte value) {
                }

                @Override
                public void write(byte[] value, int offset, int length) {
                }

                @Override
                public void writeLazy(byte[] value, int offset, int length) {
                    if (whole[0] == null && offset == 0 && length == value.length && length == bytes.size()) {
                        whole[0] = value;
                    }
                }

                @Override
                public void write(ByteBuffer value) {
                }

                @Override
                public void writeLazy(ByteBuffer value) {
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the output above never throws
        }
        return whole[0] != null ? whole[0] : bytes.toByteArray();
    }

    private static dev.keel.raft.proto.v1.SnapshotMetadata toProto(SnapshotMetadata s) {
        dev.keel.raft.proto.v1.SnapshotMetadata.Builder b = dev.keel.raft.proto.v1.SnapshotMetadata.newBuilder()
                .setIndex(s.index())
                .setTerm(s.term())
                .setSize(s.size())
                .setChecksum(s.checksum());
        s.membership().voterIds().stream().map(NodeId::value).sorted().forEach(b::addMembers);
        b.setMembership(UnsafeByteOperations.unsafeWrap(s.membership().encode()));
        b.setMembershipIndex(s.membershipIndex());
        return b.build();
    }

    private static SnapshotMetadata fromProto(dev.keel.raft.proto.v1.SnapshotMetadata m) {
        return new SnapshotMetadata(m.getIndex(), m.getTerm(),
                dev.keel.raft.Membership.decode(m.getMembership().toByteArray()), m.getMembershipIndex(), m.getSize(),
                m.getChecksum());
    }

    /** Entry types by wire code, built once: {@code EntryType.fromCode} copies {@code values()} on every call. */
    private static final EntryType[] ENTRY_TYPES = entryTypesByCode();

    private static EntryType[] entryTypesByCode() {
        int max = 0;
        for (EntryType t : EntryType.values()) {
            max = Math.max(max, t.code());
        }
        EntryType[] byCode = new EntryType[max + 1];
        for (EntryType t : EntryType.values()) {
            byCode[t.code()] = t;
        }
        return byCode;
    }

    /**
     * @throws IllegalArgumentException for 0 (UNSPECIFIED) and codes this version does not know
     */
    static EntryType entryType(int code) {
        EntryType t = code >= 0 && code < ENTRY_TYPES.length ? ENTRY_TYPES[code] : null;
        // Unknown codes go through fromCode for its error message.
        return t != null ? t : EntryType.fromCode(code);
    }
}
