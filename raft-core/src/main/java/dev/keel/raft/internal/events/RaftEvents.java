package dev.keel.raft.internal.events;

/**
 * Where the runtime reports its JFR events. Every use of the {@code jdk.jfr} classes is behind this class (in
 * {@link JfrSpans}), which is loaded only when the runtime has the {@code jdk.jfr} module: a runtime image built with
 * {@code jlink} without it then simply records no events, instead of failing when an election starts.
 *
 * <p>Thread-safe. Each span is ended at most once, on any thread.
 */
public final class RaftEvents {
    private static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    private static final ElectionSpan NO_ELECTION = (node, term, outcome, leader, preVotes, elections) -> { };
    private static final SnapshotSpan NO_SNAPSHOT = (node, index, term, size, succeeded) -> { };
    private static final TransferSpan NO_TRANSFER = (node, peer, direction, index, bytes, outcome) -> { };

    private RaftEvents() {
    }

    /** A campaign, from its start to its outcome. */
    @FunctionalInterface
    public interface ElectionSpan {
        void end(String node, long term, String outcome, String leader, long preVotes, long elections);
    }

    /** A snapshot being written. */
    @FunctionalInterface
    public interface SnapshotSpan {
        void end(String node, long index, long term, long size, boolean succeeded);
    }

    /** An InstallSnapshot transfer, sent or received. */
    @FunctionalInterface
    public interface TransferSpan {
        void end(String node, String peer, String direction, long index, long bytes, String outcome);
    }

    /** Whether events can be recorded at all (the runtime has {@code jdk.jfr}). */
    public static boolean available() {
        return AVAILABLE;
    }

    /** A campaign starts now. */
    public static ElectionSpan election() {
        return AVAILABLE ? JfrSpans.election() : NO_ELECTION;
    }

    /** A snapshot starts being written now. */
    public static SnapshotSpan snapshot() {
        return AVAILABLE ? JfrSpans.snapshot() : NO_SNAPSHOT;
    }

    /** A transfer starts now. */
    public static TransferSpan installSnapshot() {
        return AVAILABLE ? JfrSpans.installSnapshot() : NO_TRANSFER;
    }

    /** The role or the known leader of {@code node} changed. */
    public static void leaderChanged(String node, long term, String role, String previousLeader, String leader) {
        if (AVAILABLE) {
            JfrSpans.leaderChanged(node, term, role, previousLeader, leader);
        }
    }
}
