package dev.keel.raft.internal.engine;

import dev.keel.raft.NodeId;

/**
 * Counts of the engine's events that an observer (metrics, JFR) wants to see: plain fields, bumped as the events
 * happen and read by the driver between calls. They only grow; the driver reports the difference since its last look.
 * Not thread-safe, like the engine.
 */
public final class EngineCounters {
    private long preVotesStarted;
    private long electionsStarted;
    private long electionsWon;
    private long leaderChanges;
    private NodeId lastLeader;

    void preVoteStarted() {
        preVotesStarted++;
    }

    void electionStarted() {
        electionsStarted++;
    }

    void electionWon() {
        electionsWon++;
    }

    /** A leader became known; counted when it differs from the last one known. */
    void leaderKnown(NodeId leader) {
        if (leader != null && !leader.equals(lastLeader)) {
            lastLeader = leader;
            leaderChanges++;
        }
    }

    /** Pre-vote rounds started (thesis §9.6). */
    public long preVotesStarted() {
        return preVotesStarted;
    }

    /** Elections started as a candidate, each in a new term. */
    public long electionsStarted() {
        return electionsStarted;
    }

    /** Elections won. */
    public long electionsWon() {
        return electionsWon;
    }

    /** Times a leader other than the last one known became known. */
    public long leaderChanges() {
        return leaderChanges;
    }
}
