package dev.keel.raft.testing.sim;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one simulation run.
 *
 * @param seed       the run's seed (replay it with {@code -Dkeel.sim.seed=})
 * @param nodes      number of servers
 * @param violation  the first property that failed, or {@code null}
 * @param traceHash  hash of every event; equal for two runs of one seed
 * @param events     number of scheduler events run
 * @param virtualNanos virtual time simulated
 * @param stats      counters
 * @param faults     how often each fault family fired
 * @param lastEvents the last events before the end (or the failure), one per line
 * @param timeline   notable events (elections, faults, crashes) with their times
 * @param history    every client operation
 */
public record SimulationResult(long seed, int nodes, InvariantViolation violation, long traceHash, long events,
                               long virtualNanos, Stats stats, Map<Fault, Integer> faults, String lastEvents,
                               List<String> timeline, List<ClientOp> history) {

    /** Whether every property held. */
    public boolean ok() {
        return violation == null;
    }

    /** Counters of one run. */
    public static final class Stats {
        public long writesOk;
        public long readsOk;
        public long elections;
        public long crashes;
        public long messagesSent;
        public long messagesDropped;
        public long invariantChecks;
        public long snapshotsRestored;
        public long snapshotChunksDelivered;
        /** Log reads a leader made off its event loop for lagging followers (entries older than the cache). */
        public long entryLoads;
        /** Such reads that found their entries compacted meanwhile. */
        public long entryLoadsFailed;
        public long linearizabilityMillis;
        public long sessionsOpened;
        public long sessionOpensFailed;
        public long sessionCommandsOk;
        public long sessionCommandsIndeterminate;
        public long sessionCommandsFailed;
        public long sessionsExpired;
        /** Why session commands failed: exception class, with the session exception's reason, to count. */
        public final java.util.Map<String, Integer> sessionFailures = new java.util.TreeMap<>();

        @Override
        public String toString() {
            return "writes ok " + writesOk + ", reads ok " + readsOk + ", leaders elected " + elections
                    + ", crashes " + crashes + ", messages " + messagesSent + " (" + messagesDropped + " lost)"
                    + ", snapshots restored " + snapshotsRestored + ", snapshot chunks delivered "
                    + snapshotChunksDelivered + ", log reads off the event loop " + entryLoads + " (" + entryLoadsFailed
                    + " found entries compacted), checks " + invariantChecks + ", sessions opened " + sessionsOpened
                    + " (" + sessionOpensFailed + " attempts failed), session commands ok " + sessionCommandsOk
                    + ", indeterminate " + sessionCommandsIndeterminate + ", failed " + sessionCommandsFailed
                    + " " + sessionFailures + ", sessions expired " + sessionsExpired;
        }
    }

    /** A multi-line report: the seed, the violation and the last events. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append("simulation seed ").append(seed).append(" (").append(nodes).append(" nodes, ")
                .append(String.format("%.1f", virtualNanos / 1e9)).append(" s virtual, ").append(events)
                .append(" events): ").append(ok() ? "OK" : "VIOLATION " + violation.getMessage()).append('\n');
        sb.append("  ").append(stats).append('\n');
        sb.append("  faults fired: ").append(faults).append('\n');
        sb.append("  replay: -Dkeel.sim.seed=").append(seed).append('\n');
        if (!ok()) {
            sb.append("  last events:\n").append(lastEvents.indent(4));
        }
        return sb.toString();
    }
}
