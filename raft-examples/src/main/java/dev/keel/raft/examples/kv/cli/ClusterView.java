package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.kv.RespCall;
import dev.keel.raft.examples.kv.config.HostPort;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One look at a whole cluster: its members (from any node that answers {@code RAFT.MEMBERS}) and each member's
 * {@code INFO}, asked of all of them at once so that a node that does not answer costs one timeout, not one per node.
 *
 * @param at          when it was taken
 * @param members     the configuration, or empty if no node answered
 * @param problem     why there are no members, if so
 * @param nodes       one per member (or per seed when no member list was had), in configuration order
 */
record ClusterView(Instant at, Optional<Members> members, String problem, List<Node> nodes) {

    /**
     * One node as seen now.
     *
     * @param id      its id ("?" if not known)
     * @param learner whether it is a learner
     * @param address its client address ("" if not known)
     * @param info    its INFO fields, or empty if it did not answer
     * @param error   why it did not answer
     */
    record Node(String id, boolean learner, String address, Optional<Map<String, String>> info, String error) {
        String field(String name) {
            return info.map(i -> i.getOrDefault(name, "")).orElse("");
        }

        long number(String name) {
            try {
                return Long.parseLong(field(name));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /**
     * Takes a look, with {@code timeout} for every call.
     *
     * @param lastKnown the member list of the previous look, used when no node answers {@code RAFT.MEMBERS} now (it
     *                  needs a leader): so a watched cluster that loses its leader still shows every member
     */
    static ClusterView take(NodeClient client, Duration timeout, ExecutorService pool, Optional<Members> lastKnown) {
        Instant at = Instant.now();
        Optional<Members> members = Optional.empty();
        String problem = "";
        try {
            NodeClient.Reply r = client.call(timeout, "RAFT.MEMBERS");
            if (r.isError()) {
                problem = r.from() + " refused RAFT.MEMBERS: " + r.errorText();
            } else {
                members = Optional.of(Members.parse(r.value()));
            }
        } catch (IOException | IllegalArgumentException e) {
            problem = e.getMessage();
        }
        List<String[]> targets = new ArrayList<>();
        Optional<Members> shown = members.isPresent() ? members : lastKnown;
        if (shown.isPresent()) {
            for (Members.Member m : shown.get().members()) {
                targets.add(new String[]{m.id(), m.role(), m.client()});
            }
        } else {
            for (HostPort seed : client.seeds()) {
                targets.add(new String[]{"?", "", seed.toString()});
            }
        }
        List<CompletableFuture<Node>> asks = new ArrayList<>();
        for (String[] t : targets) {
            asks.add(CompletableFuture.supplyAsync(() -> ask(client, t[0], t[1].equals("learner"), t[2], timeout),
                    pool));
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < asks.size(); i++) {
            String[] t = targets.get(i);
            try {
                nodes.add(asks.get(i).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                nodes.add(new Node(t[0], t[1].equals("learner"), t[2], Optional.empty(), "no answer"));
            } catch (Exception e) {
                nodes.add(new Node(t[0], t[1].equals("learner"), t[2], Optional.empty(), String.valueOf(e)));
            }
        }
        return new ClusterView(at, members, problem, List.copyOf(nodes));
    }

    private static Node ask(NodeClient client, String id, boolean learner, String address, Duration timeout) {
        if (address.isEmpty()) {
            return new Node(id, learner, address, Optional.empty(), "its client address is unknown");
        }
        try {
            Object reply = client.callNode(HostPort.parse(address), timeout, "INFO");
            if (reply instanceof String text) {
                Map<String, String> info = NodeClient.infoFields(text);
                return new Node(info.getOrDefault("node_id", id), learner, address, Optional.of(info), "");
            }
            return new Node(id, learner, address, Optional.empty(), reply instanceof RespCall.Error e ? e.text()
                    : "INFO answered " + reply);
        } catch (IOException | IllegalArgumentException e) {
            return new Node(id, learner, address, Optional.empty(), e.getMessage());
        }
    }

    /** The node that leads, as the nodes that answered agree (the one that says it leads, in the highest term). */
    Optional<Node> leader() {
        return nodes.stream().filter(n -> n.field("role").equals("leader"))
                .max(java.util.Comparator.comparingLong(n -> n.number("term")));
    }
}
