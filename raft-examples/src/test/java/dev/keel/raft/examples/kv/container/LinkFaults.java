package dev.keel.raft.examples.kv.container;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cuts single links between two nodes of a {@link ContainerCluster}, which whole-node network disconnects cannot do
 * (a "bridge" node that still sees both halves of a split, say). Each cut is a pair of iptables DROP rules in each
 * node's own network namespace, entered from the host with {@code nsenter}: the node's image is {@code FROM scratch}
 * and has no tools, but the host's {@code iptables} works in any namespace. Needs root on the Docker host, as CI has.
 *
 * <p>Only packets between the nodes' Raft-network addresses are dropped: clients reach every node through the other
 * network all along. The rules die with the namespace, so a node that is restarted comes back with all its links.
 */
final class LinkFaults {
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    private final ContainerCluster cluster;

    LinkFaults(ContainerCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Checks that iptables can be run in node 0's namespace. Without it the test is skipped with a message, unless
     * {@code KEEL_REQUIRE_DOCKER=true} (CI), where it fails.
     */
    void checkAvailable() {
        String problem;
        try {
            problem = run(0, "iptables", "-w", "-L", "INPUT", "-n");
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        if (problem == null) {
            return;
        }
        String message = "cannot cut links between containers (needs root, nsenter and iptables on the Docker host): "
                + problem;
        if ("true".equalsIgnoreCase(System.getenv("KEEL_REQUIRE_DOCKER"))) {
            throw new AssertionError(message);
        }
        System.out.println("SKIPPED nemesis test: " + message);
        Assumptions.abort(message);
    }

    /** Drops every packet between nodes {@code a} and {@code b}, both ways, until {@link #healAll()}. */
    void cut(int a, int b) {
        String addressA = cluster.raftAddress(a);
        String addressB = cluster.raftAddress(b);
        drop(a, addressB);
        drop(b, addressA);
    }

    /** Cuts every link between a node of {@code side} and a node of {@code otherSide}. */
    void split(List<Integer> side, List<Integer> otherSide) {
        for (int a : side) {
            for (int b : otherSide) {
                cut(a, b);
            }
        }
    }

    /** Removes every cut on every running node. */
    void healAll() {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.pid(i).isEmpty()) {
                continue; // not running: its namespace, and the rules in it, are gone
            }
            for (String chain : List.of("INPUT", "OUTPUT")) {
                String problem = run(i, "iptables", "-w", "-F", chain);
                if (problem != null) {
                    failures.add("n" + (i + 1) + ": " + problem);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not heal the links: " + failures);
        }
    }

    private void drop(int node, String peer) {
        for (List<String> rule : List.of(List.of("INPUT", "-s", peer), List.of("OUTPUT", "-d", peer))) {
            List<String> command = new ArrayList<>(List.of("iptables", "-w", "-A"));
            command.addAll(rule);
            command.addAll(List.of("-j", "DROP"));
            String problem = run(node, command.toArray(String[]::new));
            if (problem != null) {
                throw new IllegalStateException("cannot cut n" + (node + 1) + " from " + peer + ": " + problem);
            }
        }
    }

    /** Runs a command in node {@code i}'s network namespace; returns null on success, else what went wrong. */
    private String run(int i, String... command) {
        long pid = cluster.pid(i).orElseThrow(() -> new IllegalStateException("n" + (i + 1) + " is not running"));
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n"));
        full.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", full) + " did not finish within " + COMMAND_TIMEOUT_SECONDS + " s";
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? null : String.join(" ", full) + " exited with " + p.exitValue() + ": " + output;
        } catch (IOException e) {
            return String.join(" ", full) + " could not run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
