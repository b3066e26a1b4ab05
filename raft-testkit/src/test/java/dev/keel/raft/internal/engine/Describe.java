package dev.keel.raft.internal.engine;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.ReadIndexRequest;
import dev.keel.raft.message.ReadIndexResponse;
import dev.keel.raft.message.TimeoutNow;
import dev.keel.raft.message.VoteRequest;
import dev.keel.raft.message.VoteResponse;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.stream.Collectors;

/** One-line, stable descriptions of engine inputs and outputs for the interaction scripts' expected output. */
final class Describe {
    private Describe() {
    }

    static String message(RaftMessage m) {
        return m.from() + "->" + m.to() + " " + body(m);
    }

    private static String body(RaftMessage m) {
        if (m instanceof VoteRequest v) {
            return (v.preVote() ? "PreVote" : "Vote") + " term=" + v.term() + " last=" + v.lastLogIndex() + "@"
                    + v.lastLogTerm() + (v.transfer() ? " transfer" : "");
        } else if (m instanceof VoteResponse v) {
            return (v.preVote() ? "PreVoteResp" : "VoteResp") + " term=" + v.term()
                    + (v.granted() ? " granted" : " rejected");
        } else if (m instanceof AppendEntriesRequest a) {
            return "App term=" + a.term() + " prev=" + a.prevLogIndex() + "@" + a.prevLogTerm() + " commit="
                    + a.leaderCommit() + " entries=[" + a.entries().stream().map(Describe::entry)
                    .collect(Collectors.joining(", ")) + "]";
        } else if (m instanceof AppendEntriesResponse a) {
            return "AppResp term=" + a.term() + (a.success() ? " ok index=" + a.index()
                    : " reject prev=" + a.index() + " hint=" + a.conflictIndex() + "@" + a.conflictTerm());
        } else if (m instanceof Heartbeat h) {
            return "Heartbeat term=" + h.term() + " commit=" + h.commitIndex() + " seq=" + h.readSeq();
        } else if (m instanceof HeartbeatResponse h) {
            return "HeartbeatResp term=" + h.term() + " seq=" + h.readSeq() + " last=" + h.lastLogIndex();
        } else if (m instanceof ReadIndexRequest r) {
            return "ReadIndex term=" + r.term() + " id=" + r.requestId();
        } else if (m instanceof ReadIndexResponse r) {
            return "ReadIndexResp term=" + r.term() + " id=" + r.requestId()
                    + (r.success() ? " ok index=" + r.readIndex() : " failed");
        } else if (m instanceof TimeoutNow t) {
            return "TimeoutNow term=" + t.term();
        } else if (m instanceof InstallSnapshotRequest s) {
            return "Snapshot term=" + s.term() + " snap=" + snapshot(s.snapshot()) + " offset=" + s.offset()
                    + " bytes=" + s.data().length + (s.done() ? " done" : "");
        } else if (m instanceof InstallSnapshotResponse s) {
            return "SnapshotResp term=" + s.term() + " snap=" + s.snapshotIndex() + " " + s.status() + " position="
                    + s.position();
        }
        return m.toString();
    }

    static String entry(LogEntry e) {
        String at = e.index() + "@" + e.term();
        if (e.type() == EntryType.NO_OP) {
            return at + " noop";
        }
        if (e.type() == EntryType.CONFIGURATION) {
            return at + " conf " + membership(Membership.decode(e.data()));
        }
        return at + " " + data(e.data());
    }

    static String data(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        boolean printable = s.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"');
        return printable ? "\"" + s + "\"" : data.length + " bytes";
    }

    static String membership(Membership m) {
        if (m == null) {
            return "none";
        }
        StringBuilder sb = new StringBuilder("voters=").append(ids(m.voters()));
        if (!m.learners().isEmpty()) {
            sb.append(" learners=").append(ids(m.learners()));
        }
        if (m.isJoint()) {
            sb.append(" outgoing=").append(ids(m.outgoingVoters()));
        }
        return sb.toString();
    }

    private static String ids(Collection<Member> members) {
        return members.stream().map(x -> x.id().value()).collect(Collectors.joining(",", "(", ")"));
    }

    static String snapshotTask(SnapshotTask t) {
        if (t instanceof SnapshotTask.ChunkRead r) {
            return "Read snapshot " + snapshot(r.snapshot()) + " at " + r.offset() + "+" + r.length() + " for "
                    + r.peer() + " (transfer " + r.transfer() + ")";
        } else if (t instanceof SnapshotTask.ChunkWrite w) {
            return "Write snapshot " + snapshot(w.snapshot()) + " at " + w.offset() + "+" + w.data().length + " from "
                    + w.leader() + (w.last() ? " last" : "") + " (transfer " + w.transfer() + ")";
        }
        SnapshotTask.Ended e = (SnapshotTask.Ended) t;
        return "Transfer " + e.transfer() + (e.sending() ? " sending " : " receiving ") + snapshot(e.snapshot())
                + (e.sending() ? " to " : " from ") + e.peer() + " ended: " + e.outcome() + ", " + e.bytes() + " bytes";
    }

    static String snapshot(SnapshotMetadata s) {
        return s.index() + "@" + s.term();
    }
}
