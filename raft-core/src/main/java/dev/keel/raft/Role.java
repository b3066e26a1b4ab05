package dev.keel.raft;

/** The Raft role a server plays at one moment (Raft §5.1, PreVote from the thesis §9.6). */
public enum Role {
    /** Replicates the leader's log and votes; the role every server starts in. */
    FOLLOWER,
    /** Asks whether it could win an election before disturbing anyone with a new term (PreVote). */
    PRE_CANDIDATE,
    /** Has started a new term and asks for votes. */
    CANDIDATE,
    /** Accepts client commands and replicates them. */
    LEADER
}
