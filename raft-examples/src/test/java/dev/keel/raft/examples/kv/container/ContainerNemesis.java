package dev.keel.raft.examples.kv.container;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Injects one fault at a time into a {@link ContainerCluster} and heals it: the fault families of the nemesis test.
 * Which nodes a fault hits is drawn from a seeded random source; whom it hits depends on which node leads, so a
 * seed fixes the choices, not the run.
 */
final class ContainerNemesis {
    /** The fault families. */
    enum Kind {
        /** SIGKILL of the leader; healed by starting it again. */
        KILL_LEADER,
        /** SIGKILL of a random node; healed by starting it again. */
        KILL_RANDOM,
        /** A random node frozen (docker pause); healed by resuming it. */
        PAUSE,
        /** The leader frozen (docker pause): its followers elect another; healed by resuming it. */
        PAUSE_LEADER,
        /** The leader cut off in a minority (alone with 3 nodes, with one follower with 5). */
        ISOLATE_LEADER,
        /** A random majority/minority split. */
        SPLIT,
        /** Two halves that cannot see each other and one node that sees both. */
        BRIDGE,
        /** A clean stop (SIGTERM) of a random node and a start on the same data. */
        RESTART
    }

    /** A fault in force: what it is, whom it hit, and how to heal it. */
    record Applied(Kind kind, String description, Runnable heal) {
    }

    private final ContainerCluster cluster;
    private final LinkFaults links;
    private final Random random;
    private final Duration election;
    private final Map<Kind, Integer> counts = new EnumMap<>(Kind.class);

    ContainerNemesis(ContainerCluster cluster, LinkFaults links, long seed, Duration election) {
        this.cluster = cluster;
        this.links = links;
        this.random = new Random(seed);
        this.election = election;
    }

    /** Every kind once, in a random order: one round of the nemesis. */
    List<Kind> round() {
        List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
        Collections.shuffle(kinds, random);
        return kinds;
    }

    /** Injects a fault of {@code kind}; the caller heals it with {@link Applied#heal()}. */
    Applied inject(Kind kind) {
        int n = cluster.size();
        Applied applied = switch (kind) {
            case KILL_LEADER -> {
                int leader = leader();
                cluster.kill(leader);
                yield new Applied(kind, "kill -9 leader " + name(leader), () -> cluster.restart(leader));
            }
            case KILL_RANDOM -> {
                int victim = random.nextInt(n);
                cluster.kill(victim);
                yield new Applied(kind, "kill -9 " + name(victim), () -> cluster.restart(victim));
            }
            case PAUSE -> {
                int victim = random.nextInt(n);
                cluster.pause(victim);
                yield new Applied(kind, "pause " + name(victim), () -> cluster.unpause(victim));
            }
            case PAUSE_LEADER -> {
                int leader = leader();
                cluster.pause(leader);
                yield new Applied(kind, "pause leader " + name(leader), () -> cluster.unpause(leader));
            }
            case ISOLATE_LEADER -> {
                int leader = leader();
                List<Integer> minority = new ArrayList<>(List.of(leader));
                List<Integer> rest = shuffled(others(List.of(leader)));
                while (minority.size() < (n - 1) / 2) {
                    minority.add(rest.remove(0));
                }
                links.split(minority, rest);
                yield new Applied(kind, "leader in a minority " + names(minority) + " | " + names(rest),
                        links::healAll);
            }
            case SPLIT -> {
                List<Integer> nodes = shuffled(all());
                List<Integer> minority = new ArrayList<>(nodes.subList(0, (n - 1) / 2));
                List<Integer> majority = new ArrayList<>(nodes.subList((n - 1) / 2, n));
                links.split(minority, majority);
                yield new Applied(kind, "split " + names(minority) + " | " + names(majority), links::healAll);
            }
            case BRIDGE -> {
                List<Integer> nodes = shuffled(all());
                int bridge = nodes.remove(0);
                List<Integer> left = new ArrayList<>(nodes.subList(0, nodes.size() / 2));
                List<Integer> right = new ArrayList<>(nodes.subList(nodes.size() / 2, nodes.size()));
                links.split(left, right);
                yield new Applied(kind, "bridge " + name(bridge) + " between " + names(left) + " and "
                        + names(right), links::healAll);
            }
            case RESTART -> {
                int victim = random.nextInt(n);
                cluster.stopNode(victim);
                yield new Applied(kind, "stop and restart " + name(victim), () -> cluster.restart(victim));
            }
        };
        counts.merge(kind, 1, Integer::sum);
        return applied;
    }

    /** How many faults of each kind were injected. */
    Map<Kind, Integer> counts() {
        return counts;
    }

    private int leader() {
        return cluster.awaitLeader(election, all());
    }

    private List<Integer> all() {
        return IntStream.range(0, cluster.size()).boxed().toList();
    }

    private List<Integer> others(List<Integer> excluded) {
        return all().stream().filter(i -> !excluded.contains(i)).toList();
    }

    private List<Integer> shuffled(List<Integer> nodes) {
        List<Integer> copy = new ArrayList<>(nodes);
        Collections.shuffle(copy, random);
        return copy;
    }

    private static String name(int i) {
        return "n" + (i + 1);
    }

    private static String names(List<Integer> nodes) {
        return nodes.stream().map(ContainerNemesis::name).toList().toString();
    }
}
