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
    // For each index a leader has committed: the term of the leader that committed it, and the entry's hash.
    private long[] commitTerm = new long[1024];
    private long[] commitHash = new long[1024];
    private long highestLeaderCommit;
    private final dev.keel.raft.Role[] lastRole;
    private long highestCommitted;
    // Per server: the highest durable term, its durable vote, the last commit index seen in this incarnation.
    private final long[] durableTerm;
    private final NodeId[] durableVote;
    private final long[] lastCommit;
    private final long[] lastTerm;
    // Every acknowledged write: index -> command hash.
    private final Map<Long, Long> acknowledged = new HashMap<>();
    private long highestAcknowledged;
    // Exactly once: the index at which each client operation took effect (the same on every replica that applies it).
    private final Map<Long, Long> operationIndex = new HashMap<>();
    // Every operation acknowledged through a session: op id -> the index it was reported at.
    private final Map<Long, Long> acknowledgedOperations = new HashMap<>();
    long checks;

    private record EntryKey(long index, long term) {
    }

    Invariants(List<NodeId> ids) {
        this.ids = ids;
        this.durableTerm = new long[ids.size()];
        this.durableVote = new NodeId[ids.size()];
        this.lastCommit = new long[ids.size()];
        this.lastTerm = new long[ids.size()];
        this.lastRole = new dev.keel.raft.Role[ids.size()];
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
        boolean newLeader = s.isLeader() && (lastRole[node] != dev.keel.raft.Role.LEADER || lastTerm[node] != s.term());
        lastTerm[node] = s.term();
        lastRole[node] = s.role();
        if (!newLeader) {
            return;
        }
        NodeId previous = leaderOfTerm.putIfAbsent(s.term(), s.id());
        if (previous != null && !previous.equals(s.id())) {
            throw new InvariantViolation("election safety", "two leaders in term " + s.term() + ": " + previous
                    + " and " + s.id());
        }
        checkLeaderCompleteness(s.id(), s.term(), log);
    }

    /**
     * Leader completeness (Raft §5.4): a new leader of term {@code term} holds every entry committed in an earlier
     * term. (An entry committed by a leader of a later term, which a stale leader elected with delayed votes may
     * lack, is not a violation.)
     */
    private void checkLeaderCompleteness(NodeId leader, long term, LogStorage log) {
        long required = 0;
        for (long i = highestLeaderCommit; i >= 1; i--) {
            if (commitTerm[(int) i] != 0 && commitTerm[(int) i] < term) {
                required = i;
                break;
            }
        }
        if (required == 0) {
            return;
        }
        long last = log.lastIndex();
        if (required > last) {
            throw new InvariantViolation("leader completeness", leader + " leads term " + term
                    + " with last index " + last + " but index " + required + " was committed in term "
                    + commitTerm[(int) required]);
        }
        long from = Math.max(1, log.firstIndex());
        if (required < from) {
            return;
        }
        for (LogEntry e : log.entries(from, required + 1, Long.MAX_VALUE)) {
            int i = (int) e.index();
            if (commitTerm[i] != 0 && commitTerm[i] < term && commitHash[i] != entryHash(e)) {
                throw new InvariantViolation("leader completeness", leader + " leads term " + term
                        + " but its entry " + e + " differs from the one committed there in term " + commitTerm[i]);
            }
        }
    }

    /**
     * A leader of {@code term} has advanced its commit index to {@code commitIndex}: the entries up to there are
     * committed in that term, with the content its log holds.
     */
    void onLeaderCommit(int node, long term, long commitIndex, LogStorage log) {
        if (commitIndex <= highestLeaderCommit) {
            return;
        }
        if (commitIndex >= commitTerm.length) {
            int size = (int) Math.max(commitIndex + 1, commitTerm.length * 2L);
            commitTerm = Arrays.copyOf(commitTerm, size);
            commitHash = Arrays.copyOf(commitHash, size);
        }
        long from = Math.max(highestLeaderCommit + 1, log.firstIndex());
        if (from <= commitIndex) {
            for (LogEntry e : log.entries(from, commitIndex + 1, Long.MAX_VALUE)) {
                int i = (int) e.index();
                commitTerm[i] = term;
                commitHash[i] = entryHash(e);
            }
        }
        highestLeaderCommit = commitIndex;
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

    /**
     * State machine safety: no two servers apply different commands at one index; and, for the built-in registers'
     * commands ({@code registers}: they end with the id of their client operation, which the user's commands of a
     * {@link StateMachineSimulation} do not), exactly once: no operation takes effect at two indexes.
     */
    void onApply(int node, long index, byte[] command, boolean registers) {
        checks++;
        if (index >= committed.length) {
            committed = Arrays.copyOf(committed, (int) Math.max(index + 1, committed.length * 2L));
        }
        long h = hash(command);
        if (registers) {
            long opId = SimStateMachine.operationId(command);
            Long at = operationIndex.putIfAbsent(opId, index);
            if (at != null && at != index) {
                throw new InvariantViolation("exactly once", ids.get(node) + " applied operation " + opId
                        + " at index " + index + ", but it had already taken effect at index " + at);
            }
        }
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
     * A session acknowledged operation {@code opId}, applied at {@code index} (its first application, for a retry): it
     * must be the command committed there, and it must be in every replica's state at the end.
     */
    void onAcknowledgedOperation(long opId, long index, byte[] command) {
        onAcknowledged(index, command);
        Long earlier = acknowledgedOperations.putIfAbsent(opId, index);
        if (earlier != null && earlier != index) {
            throw new InvariantViolation("exactly once", "operation " + opId + " was acknowledged at index " + index
                    + " and at index " + earlier);
        }
    }

    /** Every acknowledged operation must have taken effect at the index it was acknowledged at (at the end). */
    void checkAcknowledgedOperationsApplied(long upTo) {
        for (Map.Entry<Long, Long> op : acknowledgedOperations.entrySet()) {
            Long at = operationIndex.get(op.getKey());
            if (at == null || at > upTo || !at.equals(op.getValue())) {
                throw new InvariantViolation("exactly once", "operation " + op.getKey() + ", acknowledged at index "
                        + op.getValue() + ", took effect " + (at == null ? "nowhere" : "at index " + at)
                        + " in the converged state up to " + upTo);
            }
        }
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
