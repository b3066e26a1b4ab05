package dev.keel.raft.message;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.LogEntry;

import java.util.List;

/**
 * AppendEntries (Raft §5.3, Figure 2): the leader replicates a batch of entries that follows the entry at
 * {@code prevLogIndex}. The follower accepts only if its own entry there has {@code prevLogTerm} (the consistency
 * check), which by induction guarantees that the logs match up to the new entries.
 *
 * @param from         the leader
 * @param to           the follower
 * @param term         the leader's term
 * @param prevLogIndex index of the entry just before {@code entries}
 * @param prevLogTerm  term of that entry (0 when {@code prevLogIndex} is 0)
 * @param entries      consecutive entries starting at {@code prevLogIndex + 1}; may be empty
 * @param leaderCommit the leader's commit index
 */
public record AppendEntriesRequest(NodeId from, NodeId to, long term, long prevLogIndex, long prevLogTerm,
                                   List<LogEntry> entries, long leaderCommit) implements RaftMessage {
    /**
     * @throws IllegalArgumentException if the entries do not follow {@code prevLogIndex} consecutively
     */
    public AppendEntriesRequest {
        Messages.requireHeader(from, to, term);
        Messages.requireNonNegative("prevLogIndex", prevLogIndex);
        Messages.requireNonNegative("prevLogTerm", prevLogTerm);
        Messages.requireNonNegative("leaderCommit", leaderCommit);
        entries = List.copyOf(entries);
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).index() != prevLogIndex + 1 + i) {
                throw new IllegalArgumentException("entries must be consecutive from prevLogIndex + 1 = "
                        + (prevLogIndex + 1) + ", but entry " + i + " has index " + entries.get(i).index());
            }
        }
    }

    /** Index of the last entry carried, or {@code prevLogIndex} when there are none. */
    public long lastIndex() {
        return prevLogIndex + entries.size();
    }

    @Override
    public String toString() {
        return "AppendEntriesRequest[" + from + "->" + to + " term=" + term + " prev=" + prevLogIndex + "@"
                + prevLogTerm + " entries=" + entries.size() + " commit=" + leaderCommit + "]";
    }
}
