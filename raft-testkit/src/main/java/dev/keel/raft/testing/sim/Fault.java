package dev.keel.raft.testing.sim;

/** The families of faults the simulator injects. */
public enum Fault {
    /** Messages lost at random. */
    DROP,
    /** Messages delayed far beyond the heartbeat interval. */
    DELAY,
    /** Messages overtaking each other (a wide latency spread). */
    REORDER,
    /** Messages delivered twice. */
    DUPLICATE,
    /** The cluster split in two groups that cannot talk to each other. */
    PARTITION,
    /** One server can send but not receive, or receive but not send. */
    ASYMMETRIC_PARTITION,
    /** Two servers cannot talk to each other, but a third talks to both (a bridge). */
    PARTIAL_CONNECTIVITY,
    /** A server crashes, losing what it had not made durable, and restarts later. */
    CRASH,
    /**
     * The cluster's membership changes: learners added, promoted, demoted or removed, voters added, removed or
     * replaced, leadership handed over.
     */
    MEMBERSHIP
}
