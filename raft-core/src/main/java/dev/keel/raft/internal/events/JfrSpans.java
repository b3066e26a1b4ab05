package dev.keel.raft.internal.events;

/** The JFR side of {@link RaftEvents}: loaded only when the runtime has {@code jdk.jfr}. */
final class JfrSpans {
    private JfrSpans() {
    }

    static RaftEvents.ElectionSpan election() {
        ElectionEvent e = new ElectionEvent();
        e.begin();
        return (node, term, outcome, leader, preVotes, elections) -> {
            e.end();
            if (e.shouldCommit()) {
                e.node = node;
                e.term = term;
                e.outcome = outcome;
                e.leader = leader;
                e.preVotes = preVotes;
                e.elections = elections;
                e.commit();
            }
        };
    }

    static RaftEvents.SnapshotSpan snapshot() {
        SnapshotEvent e = new SnapshotEvent();
        e.begin();
        return (node, index, term, size, succeeded) -> {
            e.end();
            if (e.shouldCommit()) {
                e.node = node;
                e.index = index;
                e.term = term;
                e.size = size;
                e.succeeded = succeeded;
                e.commit();
            }
        };
    }

    static RaftEvents.TransferSpan installSnapshot() {
        InstallSnapshotEvent e = new InstallSnapshotEvent();
        e.begin();
        return (node, peer, direction, index, bytes, outcome) -> {
            e.end();
            if (e.shouldCommit()) {
                e.node = node;
                e.peer = peer;
                e.direction = direction;
                e.index = index;
                e.bytes = bytes;
                e.outcome = outcome;
                e.commit();
            }
        };
    }

    static void leaderChanged(String node, long term, String role, String previousLeader, String leader) {
        LeaderChangeEvent e = new LeaderChangeEvent();
        if (e.shouldCommit()) {
            e.node = node;
            e.term = term;
            e.role = role;
            e.previousLeader = previousLeader;
            e.leader = leader;
            e.commit();
        }
    }
}
