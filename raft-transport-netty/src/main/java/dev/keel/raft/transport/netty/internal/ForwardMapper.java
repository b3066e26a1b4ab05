package dev.keel.raft.transport.netty.internal;

import com.google.protobuf.UnsafeByteOperations;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.proto.v1.ChangeMembershipRequest;
import dev.keel.raft.proto.v1.CloseSessionRequest;
import dev.keel.raft.proto.v1.KeepAliveRequest;
import dev.keel.raft.proto.v1.OpenSessionRequest;
import dev.keel.raft.proto.v1.SessionCommandRequest;
import dev.keel.raft.proto.v1.CommandRequest;
import dev.keel.raft.proto.v1.ForwardOutcome;
import dev.keel.raft.proto.v1.TransferLeadershipRequest;

/**
 * Maps forwarded client requests and their answers ({@link ForwardRequest}, {@link ForwardResponse}) to protobuf and
 * back. Stateless. A request of a kind this version does not know decodes as {@link ClientRequest.Unsupported}, which
 * the leader answers with a typed refusal, instead of failing the connection; an outcome it does not know decodes as
 * indeterminate, the one reading that never claims more than is known.
 */
final class ForwardMapper {
    private ForwardMapper() {
    }

    static dev.keel.raft.proto.v1.ForwardRequest toProto(ForwardRequest m) {
        dev.keel.raft.proto.v1.ForwardRequest.Builder b = dev.keel.raft.proto.v1.ForwardRequest.newBuilder()
                .setTerm(m.term())
                .setRequestId(m.requestId());
        ClientRequest r = m.request();
        if (r instanceof ClientRequest.Command c) {
            b.setCommand(CommandRequest.newBuilder().setCommand(UnsafeByteOperations.unsafeWrap(c.command())));
        } else if (r instanceof ClientRequest.ChangeMembership c) {
            b.setChangeMembership(ChangeMembershipRequest.newBuilder()
                    .setTarget(UnsafeByteOperations.unsafeWrap(c.target().encode()))
                    .setExpectedIndex(c.expectedIndex()));
        } else if (r instanceof ClientRequest.TransferLeadership t) {
            b.setTransferLeadership(TransferLeadershipRequest.newBuilder().setTarget(t.target().value()));
        } else if (r instanceof ClientRequest.OpenSession) {
            b.setOpenSession(OpenSessionRequest.getDefaultInstance());
        } else if (r instanceof ClientRequest.SessionCommand c) {
            b.setSessionCommand(SessionCommandRequest.newBuilder().setSessionId(c.sessionId())
                    .setSequence(c.sequence()).setAcknowledged(c.acknowledged())
                    .setCommand(UnsafeByteOperations.unsafeWrap(c.command())));
        } else if (r instanceof ClientRequest.KeepAlive k) {
            b.setKeepAlive(KeepAliveRequest.newBuilder().setSessionId(k.sessionId())
                    .setAcknowledged(k.acknowledged()));
        } else if (r instanceof ClientRequest.CloseSession c) {
            b.setCloseSession(CloseSessionRequest.newBuilder().setSessionId(c.sessionId()));
        } else if (r instanceof ClientRequest.Unsupported) {
            // Nothing to say: the receiver sees no kind set, as an older one sees a newer kind.
        } else {
            throw new IllegalArgumentException("no wire mapping for " + r.getClass().getName());
        }
        return b.build();
    }

    static ForwardRequest fromProto(dev.keel.raft.proto.v1.ForwardRequest m, NodeId from, NodeId to) {
        ClientRequest request = switch (m.getRequestCase()) {
            case COMMAND -> new ClientRequest.Command(MessageMapper.ownedBytes(m.getCommand().getCommand()));
            case CHANGE_MEMBERSHIP -> new ClientRequest.ChangeMembership(
                    Membership.decode(m.getChangeMembership().getTarget().toByteArray()),
                    m.getChangeMembership().getExpectedIndex());
            case TRANSFER_LEADERSHIP -> new ClientRequest.TransferLeadership(
                    NodeId.of(m.getTransferLeadership().getTarget()));
            case OPEN_SESSION -> new ClientRequest.OpenSession();
            case SESSION_COMMAND -> {
                var c = m.getSessionCommand();
                yield new ClientRequest.SessionCommand(c.getSessionId(), c.getSequence(), c.getAcknowledged(),
                        MessageMapper.ownedBytes(c.getCommand()));
            }
            case KEEP_ALIVE -> new ClientRequest.KeepAlive(m.getKeepAlive().getSessionId(),
                    m.getKeepAlive().getAcknowledged());
            case CLOSE_SESSION -> new ClientRequest.CloseSession(m.getCloseSession().getSessionId());
            case REQUEST_NOT_SET -> new ClientRequest.Unsupported(m.getUnknownFields().asMap().keySet().stream()
                    .findFirst().orElse(0));
        };
        return new ForwardRequest(from, to, m.getTerm(), m.getRequestId(), request);
    }

    static dev.keel.raft.proto.v1.ForwardResponse toProto(ForwardResponse m) {
        return dev.keel.raft.proto.v1.ForwardResponse.newBuilder()
                .setTerm(m.term())
                .setRequestId(m.requestId())
                .setOutcome(toProto(m.outcome()))
                .setIndex(m.index())
                .setResult(UnsafeByteOperations.unsafeWrap(m.result()))
                .setLeader(m.leader() == null ? "" : m.leader().value())
                .setDetail(m.detail())
                .build();
    }

    static ForwardResponse fromProto(dev.keel.raft.proto.v1.ForwardResponse m, NodeId from, NodeId to) {
        ForwardResponse.Outcome outcome = fromProto(m.getOutcome());
        String detail = outcome == ForwardResponse.Outcome.INDETERMINATE
                && m.getOutcome() != ForwardOutcome.FORWARD_OUTCOME_INDETERMINATE
                ? "the leader answered with outcome " + m.getOutcomeValue() + ", unknown to this version: "
                + m.getDetail()
                : m.getDetail();
        return new ForwardResponse(from, to, m.getTerm(), m.getRequestId(), outcome, m.getIndex(),
                MessageMapper.ownedBytes(m.getResult()), m.getLeader().isEmpty() ? null : NodeId.of(m.getLeader()),
                detail);
    }

    private static ForwardOutcome toProto(ForwardResponse.Outcome o) {
        return switch (o) {
            case OK -> ForwardOutcome.FORWARD_OUTCOME_OK;
            case NOT_LEADER -> ForwardOutcome.FORWARD_OUTCOME_NOT_LEADER;
            case BUSY -> ForwardOutcome.FORWARD_OUTCOME_BUSY;
            case INDETERMINATE -> ForwardOutcome.FORWARD_OUTCOME_INDETERMINATE;
            case STOPPED -> ForwardOutcome.FORWARD_OUTCOME_STOPPED;
            case CONFLICT -> ForwardOutcome.FORWARD_OUTCOME_CONFLICT;
            case INVALID -> ForwardOutcome.FORWARD_OUTCOME_INVALID;
            case TIMEOUT -> ForwardOutcome.FORWARD_OUTCOME_TIMEOUT;
            case NOT_A_MEMBER -> ForwardOutcome.FORWARD_OUTCOME_NOT_A_MEMBER;
            case UNSUPPORTED -> ForwardOutcome.FORWARD_OUTCOME_UNSUPPORTED;
            case SESSION_EXPIRED -> ForwardOutcome.FORWARD_OUTCOME_SESSION_EXPIRED;
            case SESSION_LIMIT -> ForwardOutcome.FORWARD_OUTCOME_SESSION_LIMIT;
            case SESSION_SEQUENCE -> ForwardOutcome.FORWARD_OUTCOME_SESSION_SEQUENCE;
            case SESSION_OUT_OF_ORDER -> ForwardOutcome.FORWARD_OUTCOME_SESSION_OUT_OF_ORDER;
            case SESSION_FULL -> ForwardOutcome.FORWARD_OUTCOME_SESSION_FULL;
        };
    }

    private static ForwardResponse.Outcome fromProto(ForwardOutcome o) {
        return switch (o) {
            case FORWARD_OUTCOME_OK -> ForwardResponse.Outcome.OK;
            case FORWARD_OUTCOME_NOT_LEADER -> ForwardResponse.Outcome.NOT_LEADER;
            case FORWARD_OUTCOME_BUSY -> ForwardResponse.Outcome.BUSY;
            case FORWARD_OUTCOME_STOPPED -> ForwardResponse.Outcome.STOPPED;
            case FORWARD_OUTCOME_CONFLICT -> ForwardResponse.Outcome.CONFLICT;
            case FORWARD_OUTCOME_INVALID -> ForwardResponse.Outcome.INVALID;
            case FORWARD_OUTCOME_TIMEOUT -> ForwardResponse.Outcome.TIMEOUT;
            case FORWARD_OUTCOME_NOT_A_MEMBER -> ForwardResponse.Outcome.NOT_A_MEMBER;
            case FORWARD_OUTCOME_UNSUPPORTED -> ForwardResponse.Outcome.UNSUPPORTED;
            case FORWARD_OUTCOME_SESSION_EXPIRED -> ForwardResponse.Outcome.SESSION_EXPIRED;
            case FORWARD_OUTCOME_SESSION_LIMIT -> ForwardResponse.Outcome.SESSION_LIMIT;
            case FORWARD_OUTCOME_SESSION_SEQUENCE -> ForwardResponse.Outcome.SESSION_SEQUENCE;
            case FORWARD_OUTCOME_SESSION_OUT_OF_ORDER -> ForwardResponse.Outcome.SESSION_OUT_OF_ORDER;
            case FORWARD_OUTCOME_SESSION_FULL -> ForwardResponse.Outcome.SESSION_FULL;
            // Indeterminate, and anything this version cannot read: never claim more than is known.
            default -> ForwardResponse.Outcome.INDETERMINATE;
        };
    }
}
