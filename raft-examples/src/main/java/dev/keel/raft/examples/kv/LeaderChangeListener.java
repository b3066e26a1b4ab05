package dev.keel.raft.examples.kv;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftListener;
import dev.keel.raft.ServerStatus;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reports each new leader this node learns of (not the moments without one), once per change. Called on Keel's event
 * loop: the consumer must only hand work off.
 */
final class LeaderChangeListener implements RaftListener {
    private final Consumer<NodeId> onNewLeader;
    private NodeId last;

    LeaderChangeListener(Consumer<NodeId> onNewLeader) {
        this.onNewLeader = onNewLeader;
    }

    @Override
    public synchronized void onStateChange(ServerStatus status) {
        NodeId leader = status.leader();
        if (leader != null && !Objects.equals(leader, last)) {
            last = leader;
            onNewLeader.accept(leader);
        }
    }
}
