package dev.keel.raft.examples.sim;

import dev.keel.raft.NodeId;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.VoteResponse;
import dev.keel.raft.testing.sim.ClientOp;
import dev.keel.raft.testing.sim.SimulationListener;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Prints a simulation as it runs, one line per event a reader cares about: elections with the votes that decided
 * them, faults and their healing, crashes and restarts, membership changes and the verdicts of the final phases.
 * Commits and client operations are summarised every {@value #SUMMARY_SECONDS} s of virtual time; with
 * {@code verbose}, every vote, role change and client operation gets its own line.
 *
 * <p>Only observes, as a {@link SimulationListener} must; called on the simulation's thread.
 */
final class Timeline implements SimulationListener {
    private static final int SUMMARY_SECONDS = 5;
    private static final long SUMMARY_NANOS = SUMMARY_SECONDS * 1_000_000_000L;
    /** Role changes arrive through {@link #onStatus}; their notes would repeat them. */
    private static final Pattern ROLE_NOTE = Pattern.compile("^n\\d+ is [A-Z_]+ in term .*");

    /** How a summary names the outcomes, in {@link ClientOp.Outcome} order. */
    private static final String[] OUTCOME_WORDS = {"ok", "failed", "unknown"};

    private final PrintWriter out;
    private final boolean verbose;
    /** Votes granted to each candidate, by term ("n2@5" -> [n1, n3]). */
    private final Map<String, List<String>> votes = new HashMap<>();
    private final TreeMap<Long, String> leadersByTerm = new TreeMap<>();
    private long nextSummary = SUMMARY_NANOS;
    private long commitIndex;
    private long commitShown;
    private final Map<ClientOp.Kind, int[]> clientOps = new TreeMap<>();
    private int elections;

    Timeline(PrintWriter out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    @Override
    public void onNote(long nanos, String text) {
        summarizeUpTo(nanos);
        if (!ROLE_NOTE.matcher(text).matches()) {
            line(nanos, text);
        }
    }

    @Override
    public void onStatus(long nanos, ServerStatus s) {
        summarizeUpTo(nanos);
        String node = s.id().value();
        switch (s.role()) {
            case CANDIDATE -> {
                elections++;
                line(nanos, node + " starts an election for term " + s.term());
            }
            case LEADER -> {
                List<String> granted = votes.getOrDefault(node + "@" + s.term(), List.of());
                leadersByTerm.put(s.term(), node);
                line(nanos, node + " is LEADER of term " + s.term() + " (votes: " + node + " itself"
                        + (granted.isEmpty() ? "" : ", " + String.join(", ", granted)) + ")");
            }
            case PRE_CANDIDATE -> {
                if (verbose) {
                    line(nanos, node + " asks for pre-votes (term " + s.term() + ")");
                }
            }
            case FOLLOWER -> {
                if (verbose) {
                    line(nanos, node + " is follower in term " + s.term()
                            + s.leaderId().map(l -> ", leader " + l.value()).orElse(", no leader known"));
                }
            }
        }
    }

    @Override
    public void onDelivered(long nanos, RaftMessage message) {
        if (message instanceof VoteResponse v && !v.preVote()) {
            if (v.granted()) {
                votes.computeIfAbsent(v.to().value() + "@" + v.term(), k -> new ArrayList<>()).add(v.from().value());
            }
            if (verbose) {
                summarizeUpTo(nanos);
                line(nanos, v.from().value() + (v.granted() ? " votes for " : " refuses its vote to ")
                        + v.to().value() + " in term " + v.term());
            }
        }
    }

    @Override
    public void onCommit(long nanos, NodeId node, long index) {
        summarizeUpTo(nanos);
        commitIndex = Math.max(commitIndex, index);
    }

    @Override
    public void onClientOp(long nanos, ClientOp op) {
        summarizeUpTo(nanos);
        clientOps.computeIfAbsent(op.kind(), k -> new int[ClientOp.Outcome.values().length])[op.outcome().ordinal()]++;
        if (verbose) {
            line(nanos, op.toString());
        }
    }

    /** Prints the summary of the last period, and the leaders by term; call once the run is over. */
    void finish(long nanos) {
        summarize(nanos);
        out.println();
        out.println("elections started: " + elections + "; leaders by term: " + leadersByTerm);
        out.flush();
    }

    private void summarizeUpTo(long nanos) {
        while (nanos >= nextSummary) {
            summarize(nextSummary);
            nextSummary += SUMMARY_NANOS;
        }
    }

    /** One line: how far commits got and what the clients saw since the last summary. */
    private void summarize(long at) {
        if (commitIndex == commitShown && clientOps.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("  .. commit index ").append(commitIndex)
                .append(" (+").append(commitIndex - commitShown).append(')');
        if (!clientOps.isEmpty()) {
            List<String> parts = new ArrayList<>();
            clientOps.forEach((kind, counts) -> {
                List<String> outcomes = new ArrayList<>();
                for (ClientOp.Outcome o : ClientOp.Outcome.values()) {
                    if (counts[o.ordinal()] > 0) {
                        outcomes.add(counts[o.ordinal()] + " " + OUTCOME_WORDS[o.ordinal()]);
                    }
                }
                parts.add(kind.name().toLowerCase() + " " + String.join(" ", outcomes));
            });
            sb.append("; clients: ").append(String.join(" | ", parts));
        }
        line(at, sb.toString());
        commitShown = commitIndex;
        clientOps.clear();
    }

    private void line(long nanos, String text) {
        out.printf("%9.3fs  %s%n", nanos / 1e9, text);
    }
}
