package dev.keel.raft.testing.sim;

import dev.keel.raft.NodeId;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.spi.LogStorage;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The safety properties of Raft (Figure 3 of the paper) plus durability, checked as the simulation runs. Each check
 * throws {@link InvariantViolation} naming the property.
 */
final class Invariants {
    private final List<NodeId> ids;
    // Election safety: the leader of each term.
    private final Map<Long, NodeId> leaderOfTerm = new HashMap<>();
    // Log matching: for every (index, term) ever appended anywhere, the entry's content hash and previous term.
    private final Map<EntryKey, long[]> entriesSeen = new HashMap<>();
    // Committed (applied somewhere) command hashes by index; 0 = unknown.
    private long[] committed = new long[1024];
    // Digest of the state machine after applying each index, as first seen; 0 = unknown.
    private long[] digests = new long[1024];
    private long highestCommitted;
    // Per server: the highest durable term, its durable vote, the last commit index seen in this incarnation.
    private final long[] durableTerm;
    private final NodeId[] durableVote;
    private final long[] lastCommit;
    private final long[] lastTerm;
    // Every acknowledged write: index -> command hash.
    private final Map<Long, Long> acknowledged = new HashMap<>();
    private long highestAcknowledged;
    long checks;

    private record EntryKey(long index, long term) {
    }

    Invariants(List<NodeId> ids) {
        this.ids = ids;
        this.durableTerm = new long[ids.size()];
        this.durableVote = new NodeId[ids.size()];
        this.lastCommit = new long[ids.size()];
        this.lastTerm = new long[ids.size()];
    }

    static long hash(byte[] data) {
        long h = 1125899906842597L;
        for (byte b : data) {
            h = 31 * h + b;
        }
        return h == 0 ? 1 : h;
    }

    private static long entryHash(LogEntry e) {
        return e.type() == EntryType.NO_OP ? -1 : hash(e.data());
    }

    /** A server's role, term or leader changed. */
    void onStatus(int node, ServerStatus s, LogStorage log) {
        checks++;
        if (s.term() < lastTerm[node]) {
            throw new InvariantViolation("term monotonicity", ids.get(node) + " went from term " + lastTerm[node]
                    + " back to " + s.term());
        }
        lastTerm[node] = s.term();
        if (!s.isLeader()) {
            return;
        }
        NodeId previous = leaderOfTerm.putIfAbsent(s.term(), s.id());
        if (previous != null && !previous.equals(s.id())) {
            throw new InvariantViolation("election safety", "two leaders in term " + s.term() + ": " + previous
                    + " and " + s.id());
        }
        checkLeaderCompleteness(s.id(), s.term(), log);
    }

    /** Leader completeness: a new leader's log holds every entry committed so far. */
    private void checkLeaderCompleteness(NodeId leader, long term, LogStorage log) {
        long last = log.lastIndex();
        if (highestCommitted > last) {
            throw new InvariantViolation("leader completeness", leader + " leads term " + term
                    + " with last index " + last + " but index " + highestCommitted + " is committed");
        }
        long from = Math.max(1, log.firstIndex());
        if (highestCommitted < from) {
            return;
        }
        for (LogEntry e : log.entries(from, highestCommitted + 1, Long.MAX_VALUE)) {
            long c = committed[(int) e.index()];
            if (c != 0 && c != entryHash(e)) {
                throw new InvariantViolation("leader completeness", leader + " leads term " + term
                        + " but its entry " + e + " differs from the committed one at that index");
            }
        }
    }

    /** After each event of a server: its commit index never goes backwards within an incarnation. */
    void onServerEvent(int node, long commitIndex) {
        checks++;
        if (commitIndex < lastCommit[node]) {
            throw new InvariantViolation("commit index monotonicity", ids.get(node) + " commit index went from "
                    + lastCommit[node] + " back to " + commitIndex);
        }
        lastCommit[node] = commitIndex;
    }

    /** A server restarted: a new incarnation starts from commit index 0. */
    void onRestart(int node, HardState recovered) {
        lastCommit[node] = 0;
        lastTerm[node] = recovered.term();
        if (recovered.term() < durableTerm[node]) {
            throw new InvariantViolation("durable term", ids.get(node) + " restarted at term " + recovered.term()
                    + " but term " + durableTerm[node] + " was durable");
        }
        if (recovered.term() == durableTerm[node] && durableVote[node] != null
                && !durableVote[node].equals(recovered.votedFor())) {
            throw new InvariantViolation("durable vote", ids.get(node) + " restarted in term " + recovered.term()
                    + " voting for " + recovered.votedFor() + " but had durably voted for " + durableVote[node]);
        }
    }

    /** A hard state became durable: terms never go back, and a server votes at most once per term. */
    void onHardStateDurable(int node, HardState hs) {
        checks++;
        if (hs.term() < durableTerm[node]) {
            throw new InvariantViolation("durable term", ids.get(node) + " persisted term " + hs.term()
                    + " after term " + durableTerm[node]);
        }
        if (hs.term() > durableTerm[node]) {
            durableTerm[node] = hs.term();
            durableVote[node] = hs.votedFor();
            return;
        }
        NodeId had = durableVote[node];
        if (had != null && !had.equals(hs.votedFor())) {
            throw new InvariantViolation("one vote per term", ids.get(node) + " had voted for " + had
                    + " in term " + hs.term() + " and then persisted a vote for " + hs.votedFor());
        }
        durableVote[node] = hs.votedFor();
    }

    /**
     * Entries were appended to a server's log, after {@code prevTerm} at the index before the first. Log matching:
     * two entries with the same index and term have the same content and the same predecessor term, so (by
     * induction) identical logs up to there.
     */
    void onAppend(int node, List<LogEntry> entries, long prevTerm) {
        long previous = prevTerm;
        for (LogEntry e : entries) {
            checks++;
            EntryKey key = new EntryKey(e.index(), e.term());
            long[] seen = entriesSeen.get(key);
            if (seen == null) {
                entriesSeen.put(key, new long[]{entryHash(e), previous});
            } else {
                // A predecessor term of -1 is unknown (the entry follows a snapshot): only the content is compared.
                boolean prevDiffers = seen[1] >= 0 && previous >= 0 && seen[1] != previous;
                if (seen[0] != entryHash(e) || prevDiffers) {
                    throw new InvariantViolation("log matching", ids.get(node) + " appended " + e + " after term "
                            + previous + ", but another log holds a different entry at " + e.index() + "@" + e.term()
                            + (prevDiffers ? " (after term " + seen[1] + ")" : " (different content)"));
                }
                if (seen[1] < 0) {
                    seen[1] = previous;
                }
            }
            previous = e.term();
        }
    }

    /** State machine safety: no two servers apply different commands at one index. */
    void onApply(int node, long index, byte[] command) {
        checks++;
        if (index >= committed.length) {
            committed = Arrays.copyOf(committed, (int) Math.max(index + 1, committed.length * 2L));
        }
        long h = hash(command);
        long existing = committed[(int) index];
        if (existing == 0) {
            committed[(int) index] = h;
            highestCommitted = Math.max(highestCommitted, index);
        } else if (existing != h) {
            throw new InvariantViolation("state machine safety", ids.get(node) + " applied a different command at "
                    + index + " than another server did");
        }
    }

    /**
     * A state machine reached {@code index} with {@code digest} (of everything applied so far), by applying or by
     * restoring a snapshot: every replica must agree on the state at every index, snapshots included.
     */
    void onState(int node, long index, long digest, boolean restored) {
        checks++;
        if (index >= digests.length) {
            digests = Arrays.copyOf(digests, (int) Math.max(index + 1, digests.length * 2L));
        }
        long known = digests[(int) index];
        if (known == 0) {
            if (restored && index > 0) {
                throw new InvariantViolation("snapshot safety", ids.get(node) + " restored a snapshot at index "
                        + index + " that no replica ever applied (it contains uncommitted entries)");
            }
            digests[(int) index] = digest;
        } else if (known != digest) {
            throw new InvariantViolation(restored ? "snapshot safety" : "state machine safety", ids.get(node)
                    + (restored ? " restored a snapshot whose state at index " : " reached a state at index ") + index
                    + " that differs from another replica's");
        }
    }

    /** A write was acknowledged to a client at {@code index}: it must be the command committed there. */
    void onAcknowledged(long index, byte[] command) {
        long h = hash(command);
        if (index >= committed.length || committed[(int) index] != h) {
            throw new InvariantViolation("acknowledged write durability", "a write acknowledged at index " + index
                    + " is not the command committed there");
        }
        acknowledged.put(index, h);
        highestAcknowledged = Math.max(highestAcknowledged, index);
    }

    /**
     * A read returned the state as of {@code appliedIndex}; every write acknowledged before the read was invoked
     * must be visible.
     */
    void onRead(long appliedIndex, long highestAcknowledgedAtInvoke, String describe) {
        checks++;
        if (appliedIndex < highestAcknowledgedAtInvoke) {
            throw new InvariantViolation("linearizable read", describe + " observed the state at index "
                    + appliedIndex + ", but a write acknowledged before it began is at index "
                    + highestAcknowledgedAtInvoke);
        }
    }

    long highestAcknowledged() {
        return highestAcknowledged;
    }

    long highestCommitted() {
        return highestCommitted;
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    /** Every acknowledged write must still be committed at its index (checked at the end). */
    void checkAcknowledgedSurvive() {
        for (Map.Entry<Long, Long> e : acknowledged.entrySet()) {
            if (committed[e.getKey().intValue()] != e.getValue()) {
                throw new InvariantViolation("acknowledged write durability", "the write acknowledged at index "
                        + e.getKey() + " is not committed there any more");
            }
        }
    }
}
