package dev.keel.raft.examples.bench;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * The outcome of one measured run. Costs a target cannot measure are -1 and print as {@code n/a}.
 *
 * @param mode              what the load threads did
 * @param writers           number of closed-loop threads (W)
 * @param operations        operations completed in the window
 * @param seconds           length of the window
 * @param p50Micros         median latency
 * @param p99Micros         99th percentile latency
 * @param p999Micros        99.9th percentile latency
 * @param errors            failed operations in the window
 * @param cpuMicrosPerOp    CPU time per operation
 * @param allocPerOp        bytes allocated per operation by all threads, or -1
 * @param leaderAllocPerOp  bytes allocated per operation by the leader's threads, or -1
 * @param gcPauses          stop-the-world GC pauses in the window, or -1
 * @param maxGcPauseMillis  the longest, or -1
 */
record Report(LoadRunner.Mode mode, int writers, long operations, double seconds, long p50Micros, long p99Micros,
              long p999Micros, long errors, double cpuMicrosPerOp, long allocPerOp, long leaderAllocPerOp,
              long gcPauses, long maxGcPauseMillis) {

    static final String HEADER = "| mode | W | ops/s | p50 ms | p99 ms | p99.9 ms | errors | CPU us/op "
            + "| alloc B/op (all) | alloc B/op (leader) | GC pauses | max GC pause ms |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|";

    static Report of(LoadRunner.Mode mode, int writers, double seconds, Histogram h, long errors,
                     BenchTarget.Costs costs) {
        long ops = h.getTotalCount();
        long perOp = Math.max(1, ops);
        return new Report(mode, writers, ops, seconds, h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), errors, costs.cpuNanos() / 1000.0 / perOp,
                costs.allocatedBytes() < 0 ? -1 : costs.allocatedBytes() / perOp,
                costs.allocatedOnLeader() < 0 ? -1 : costs.allocatedOnLeader() / perOp,
                costs.gcPauses(), costs.maxGcPauseMillis());
    }

    double opsPerSecond() {
        return operations / seconds;
    }

    /** One Markdown table row under {@link #HEADER}. */
    String row() {
        return String.format(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %.2f | %.2f | %d | %.1f | %s | %s | %s | %s |",
                mode.name().toLowerCase(Locale.ROOT), writers, opsPerSecond(), p50Micros / 1000.0,
                p99Micros / 1000.0, p999Micros / 1000.0, errors, cpuMicrosPerOp, orNa(allocPerOp),
                orNa(leaderAllocPerOp), orNa(gcPauses), orNa(maxGcPauseMillis));
    }

    private static String orNa(long v) {
        return v < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", v);
    }
}
