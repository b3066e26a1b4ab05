package dev.keel.raft.examples.kv.cli;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Renders a {@link ClusterView} as one screen that fits 80 columns: a title line with the leader and the commit rate,
 * one row per node (role, term, commit and applied index, lag behind the leader, ops/s, fsync p99, the leader it
 * knows), then what needs attention. Pure: the same view and previous view give the same lines.
 */
final class StatusScreen {
    static final int WIDTH = 80;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final String ROW = "%-8s %-9s %5s %9s %9s %7s %7s %8s  %-7s";

    private StatusScreen() {
    }

    /**
     * @param now      the view to show
     * @param previous the view before (for the commit rate), or {@code null}
     */
    static List<String> render(ClusterView now, ClusterView previous) {
        List<String> lines = new ArrayList<>();
        Optional<ClusterView.Node> leader = now.leader();
        StringBuilder title = new StringBuilder("keel-kv status  ").append(TIME.format(now.at()));
        if (leader.isPresent()) {
            title.append("  leader ").append(leader.get().id()).append(" (term ")
                    .append(leader.get().field("term")).append(')');
            commitRate(now, previous, leader.get()).ifPresent(r -> title.append("  ").append(r).append(" commits/s"));
        } else {
            title.append("  NO LEADER");
        }
        lines.add(fit(title.toString()));
        now.members().ifPresent(m -> lines.add(fit("members " + m.members().size() + "  configuration at entry "
                + m.configIndex() + (m.changeInProgress() ? "  (membership change in progress)" : ""))));
        lines.add("");
        lines.add(fit(String.format(Locale.ROOT, ROW, "NODE", "ROLE", "TERM", "COMMIT", "APPLIED", "LAG", "OPS/S",
                "FSYNC99", "LEADER")));
        Map<String, String> lags = leader.map(StatusScreen::lags).orElse(Map.of());
        List<String> attention = new ArrayList<>();
        for (ClusterView.Node n : now.nodes()) {
            if (n.info().isEmpty()) {
                lines.add(fit(String.format(Locale.ROOT, "%-8s %s", clip(n.id(), 8), "DOWN " + n.address() + ": "
                        + n.error())));
                attention.add(n.id() + " does not answer at " + n.address());
                continue;
            }
            boolean isLeader = leader.isPresent() && leader.get() == n;
            String lag = isLeader ? "-" : lags.getOrDefault(n.id(), "?");
            lines.add(fit(String.format(Locale.ROOT, ROW, clip(n.id(), 8), role(n), n.field("term"),
                    n.field("commit_index"), n.field("applied_index"), lag, n.field("instantaneous_ops_per_sec"),
                    ms(n.field("fsync_p99_ms")), clip(orDash(n.field("leader")), 7))));
            if (!n.field("leader").isEmpty() && leader.isPresent() && !n.field("leader").equals(leader.get().id())) {
                attention.add(n.id() + " follows " + n.field("leader") + ", not " + leader.get().id());
            }
            if (!isLeader && lag.matches("\\d+") && Long.parseLong(lag) > 1000) {
                attention.add(n.id() + " is " + lag + " entries behind the leader");
            }
        }
        if (now.members().isEmpty()) {
            attention.add(0, "no member list now (" + now.problem() + ")");
        }
        if (leader.isEmpty() && now.nodes().stream().anyMatch(n -> n.info().isPresent())) {
            attention.add(0, "no node says it leads: elections may be going on, or a majority is down");
        }
        lines.add("");
        for (String a : attention) {
            lines.add(fit("! " + a));
        }
        return lines;
    }

    /** Each follower's lag as the leader reports it ({@code raft_followerN:id=..,lag=..}), by id. */
    private static Map<String, String> lags(ClusterView.Node leader) {
        Map<String, String> lags = new HashMap<>();
        leader.info().ifPresent(info -> info.forEach((k, v) -> {
            if (k.startsWith("raft_follower") && !k.equals("raft_followers")) {
                String id = null;
                String lag = null;
                for (String part : v.split(",")) {
                    if (part.startsWith("id=")) {
                        id = part.substring(3);
                    } else if (part.startsWith("lag=")) {
                        lag = part.substring(4);
                    }
                }
                if (id != null && lag != null) {
                    lags.put(id, lag);
                }
            }
        }));
        return lags;
    }

    private static Optional<String> commitRate(ClusterView now, ClusterView previous, ClusterView.Node leader) {
        if (previous == null) {
            return Optional.empty();
        }
        Optional<ClusterView.Node> before = previous.leader().filter(p -> p.id().equals(leader.id()));
        long millis = java.time.Duration.between(previous.at(), now.at()).toMillis();
        if (before.isEmpty() || millis <= 0 || before.get().number("commit_index") < 0) {
            return Optional.empty();
        }
        long delta = leader.number("commit_index") - before.get().number("commit_index");
        return Optional.of(String.valueOf(Math.max(0, Math.round(delta * 1000.0 / millis))));
    }

    private static String role(ClusterView.Node n) {
        String role = n.field("role");
        if (n.learner() && role.equals("follower")) {
            return "learner";
        }
        return role.equals("pre_candidate") ? "pre-cand" : role;
    }

    private static String ms(String value) {
        return value.isEmpty() ? "-" : value + "ms";
    }

    private static String orDash(String value) {
        return value.isEmpty() ? "-" : value;
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "~";
    }

    private static String fit(String line) {
        String l = line.stripTrailing();
        return l.length() <= WIDTH ? l : l.substring(0, WIDTH - 1) + "~";
    }
}
