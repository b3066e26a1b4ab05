package dev.keel.raft.examples.bench;

/** A running cluster that load threads connect to, and what it costs to run it. */
interface BenchTarget extends AutoCloseable {
    /** A new client for load thread {@code thread}, connected to the node under load. */
    BenchClient connect(int thread) throws Exception;

    /** Starts measuring the cluster's CPU, allocation and GC pauses for one window. */
    Meters startMeters();

    /** A short description of the target for the report header. */
    String describe();

    @Override
    void close();

    /** One measurement window over the cluster. */
    interface Meters {
        Costs stop();
    }

    /**
     * What the cluster spent in a window. Figures a target cannot measure are -1.
     *
     * @param cpuNanos          CPU time of the cluster's processes (in-process: the whole JVM, load threads included)
     * @param allocatedBytes    bytes allocated by all threads, or -1
     * @param allocatedOnLeader bytes allocated by the leader's threads, or -1
     * @param gcPauses          stop-the-world GC pauses, or -1
     * @param maxGcPauseMillis  the longest of them, or -1
     */
    record Costs(long cpuNanos, long allocatedBytes, long allocatedOnLeader, long gcPauses, long maxGcPauseMillis) {
    }
}
