package dev.keel.raft.testing.sim;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Injects faults: every few seconds of virtual time it picks one of the enabled families, applies it for a while,
 * then heals it. Crashes run on their own schedule so that they overlap with network faults.
 */
final class Nemesis {
    private final Simulation simulation;
    private final SimNetwork network;
    private final RandomGenerator random;
    private final List<Fault> networkFaults = new ArrayList<>();
    // Network faults are drawn from a shuffled rotation, so that every family fires within a run.
    private final List<Fault> rotation = new ArrayList<>();
    private final boolean crashes;
    private final boolean membership;
    private final Map<Fault, Integer> fired = new EnumMap<>(Fault.class);
    private boolean stopped;

    Nemesis(Simulation simulation, SimNetwork network, RandomGenerator random, Iterable<Fault> enabled) {
        this.simulation = simulation;
        this.network = network;
        this.random = random;
        boolean crash = false;
        boolean members = false;
        for (Fault f : enabled) {
            if (f == Fault.CRASH) {
                crash = true;
            } else if (f == Fault.MEMBERSHIP) {
                members = true;
            } else {
                networkFaults.add(f);
            }
        }
        this.crashes = crash;
        this.membership = members;
    }

    void start() {
        if (!networkFaults.isEmpty()) {
            simulation.scheduler().after(seconds(0.5, 2), SimScheduler.SYSTEM, "nemesis", this::nextNetworkFault);
        }
        if (crashes) {
            simulation.scheduler().after(seconds(1, 4), SimScheduler.SYSTEM, "nemesis", this::nextCrash);
        }
        if (membership) {
            simulation.scheduler().after(seconds(1, 3), SimScheduler.SYSTEM, "nemesis", this::nextMembershipChange);
        }
    }

    /** No new faults; the current ones are healed by the simulation. */
    void stop() {
        stopped = true;
    }

    Map<Fault, Integer> fired() {
        return Map.copyOf(fired);
    }

    private long seconds(double min, double max) {
        return (long) ((min + random.nextDouble() * (max - min)) * 1e9);
    }

    private void count(Fault f, String description) {
        fired.merge(f, 1, Integer::sum);
        simulation.note("FAULT " + f + ": " + description);
    }

    private void nextNetworkFault() {
        if (stopped) {
            return;
        }
        Fault f = nextFromRotation();
        int n = simulation.nodeCount();
        switch (f) {
            case DROP -> {
                network.dropRate = 0.05 + random.nextDouble() * 0.35;
                count(f, String.format("dropping %.0f%% of messages", network.dropRate * 100));
            }
            case DELAY -> {
                network.minLatencyNanos = 20_000_000L;
                network.maxLatencyNanos = 50_000_000L + random.nextLong(400_000_000L);
                count(f, "latency up to " + network.maxLatencyNanos / 1_000_000 + " ms");
            }
            case REORDER -> {
                network.minLatencyNanos = 0;
                network.maxLatencyNanos = 5_000_000L + random.nextLong(60_000_000L);
                count(f, "latency spread 0-" + network.maxLatencyNanos / 1_000_000 + " ms");
            }
            case DUPLICATE -> {
                network.duplicateRate = 0.1 + random.nextDouble() * 0.4;
                count(f, String.format("duplicating %.0f%% of messages", network.duplicateRate * 100));
            }
            case PARTITION -> count(f, isolateMinority(n));
            case ASYMMETRIC_PARTITION -> count(f, cutOneWay(n));
            case PARTIAL_CONNECTIVITY -> {
                if (n < 3) {
                    simulation.scheduler().after(seconds(0.2, 2), SimScheduler.SYSTEM, "nemesis",
                            this::nextNetworkFault);
                    return;
                }
                count(f, cutOnePair(n));
            }
            case CRASH, MEMBERSHIP -> throw new IllegalStateException(f + " is scheduled separately");
        }
        simulation.scheduler().after(seconds(1, 6), SimScheduler.SYSTEM, "nemesis", () -> heal(f));
    }

    /** The next network fault family of the rotation, reshuffled once every family has had its turn. */
    private Fault nextFromRotation() {
        if (rotation.isEmpty()) {
            rotation.addAll(networkFaults);
            for (int i = rotation.size() - 1; i > 0; i--) {
                java.util.Collections.swap(rotation, i, random.nextInt(i + 1));
            }
        }
        return rotation.remove(rotation.size() - 1);
    }

    /**
     * Cuts a minority (often including the leader) off from the rest of the {@code n} servers, both ways.
     *
     * @return the fault's description
     */
    private String isolateMinority(int n) {
        int leader = simulation.leaderIndex();
        List<Integer> minority = new ArrayList<>();
        int first = leader >= 0 && random.nextBoolean() ? leader : random.nextInt(n);
        minority.add(first);
        int size = 1 + random.nextInt(Math.max(1, (n - 1) / 2));
        while (minority.size() < size) {
            int c = random.nextInt(n);
            if (!minority.contains(c)) {
                minority.add(c);
            }
        }
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                if (minority.contains(a) != minority.contains(b)) {
                    network.block(a, b);
                }
            }
        }
        return "isolating " + simulation.names(minority) + " from the rest";
    }

    /**
     * Makes one server (often the leader) unable to receive from, or else unable to send to, all the others.
     *
     * @return the fault's description
     */
    private String cutOneWay(int n) {
        int leader = simulation.leaderIndex();
        int victim = leader >= 0 && random.nextBoolean() ? leader : random.nextInt(n);
        boolean deaf = random.nextBoolean();
        for (int other = 0; other < n; other++) {
            if (other != victim) {
                if (deaf) {
                    network.block(other, victim);
                } else {
                    network.block(victim, other);
                }
            }
        }
        return simulation.names(List.of(victim)) + (deaf ? " cannot receive" : " cannot send");
    }

    /**
     * Cuts the link between two servers both ways, while both still reach everyone else (needs {@code n >= 3}).
     *
     * @return the fault's description
     */
    private String cutOnePair(int n) {
        int a = random.nextInt(n);
        int b = (a + 1 + random.nextInt(n - 1)) % n;
        network.block(a, b);
        network.block(b, a);
        return simulation.names(List.of(a, b)) + " cannot talk to each other; the rest see both";
    }

    private void heal(Fault f) {
        switch (f) {
            case DROP -> network.dropRate = 0;
            case DELAY, REORDER -> {
                network.minLatencyNanos = 200_000;
                network.maxLatencyNanos = 2_000_000;
            }
            case DUPLICATE -> network.duplicateRate = 0;
            default -> network.healPartitions();
        }
        simulation.note("HEAL " + f);
        if (!stopped) {
            simulation.scheduler().after(seconds(0.2, 2), SimScheduler.SYSTEM, "nemesis", this::nextNetworkFault);
        }
    }

    /**
     * A server just became leader: now and then it crashes at once, before its first entries are everywhere. That
     * is the moment of Figure 8 of the Raft paper, where counting replicas of an old entry would go wrong.
     */
    void onLeaderElected(int leader) {
        if (stopped || !crashes || random.nextInt(8) != 0) {
            return;
        }
        long delay = random.nextLong(30_000_000L);
        simulation.scheduler().after(delay, SimScheduler.SYSTEM, "nemesis", () -> {
            if (!stopped && simulation.isUp(leader)) {
                count(Fault.CRASH, simulation.names(List.of(leader)) + " (just elected leader)");
                simulation.crash(leader);
                simulation.scheduler().after(seconds(0.1, 3), SimScheduler.SYSTEM, "nemesis", () -> {
                    if (!simulation.isUp(leader)) {
                        simulation.restart(leader);
                    }
                });
            }
        });
    }

    private void nextCrash() {
        if (stopped) {
            return;
        }
        int leader = simulation.leaderIndex();
        int victim = leader >= 0 && random.nextDouble() < 0.4 ? leader : random.nextInt(simulation.nodeCount());
        if (simulation.isUp(victim)) {
            count(Fault.CRASH, simulation.names(List.of(victim)) + (victim == leader ? " (the leader)" : ""));
            simulation.crash(victim);
            simulation.scheduler().after(seconds(0.3, 5), SimScheduler.SYSTEM, "nemesis", () -> {
                if (!simulation.isUp(victim)) {
                    simulation.restart(victim);
                }
            });
        }
        simulation.scheduler().after(seconds(2, 8), SimScheduler.SYSTEM, "nemesis", this::nextCrash);
    }

    /**
     * Asks the leader for a random membership change (or a leadership transfer), as an administrator would: through
     * the public API, compare-and-set on the configuration it read.
     */
    private void nextMembershipChange() {
        if (stopped) {
            return;
        }
        simulation.scheduler().after(seconds(1, 5), SimScheduler.SYSTEM, "nemesis", this::nextMembershipChange);
        int leader = simulation.leaderIndex();
        if (leader < 0) {
            return;
        }
        dev.keel.raft.RaftServer server = simulation.server(leader);
        dev.keel.raft.ServerStatus status = server.status();
        dev.keel.raft.Membership m = status.membership();
        if (m == null || status.membershipChangeInProgress()) {
            return;
        }
        java.util.List<dev.keel.raft.NodeId> voters = new ArrayList<>(new java.util.TreeSet<>(m.voterIds()));
        java.util.List<dev.keel.raft.NodeId> learners = new ArrayList<>(new java.util.TreeSet<>(m.learnerIds()));
        java.util.List<dev.keel.raft.NodeId> outside = new ArrayList<>();
        for (dev.keel.raft.NodeId id : simulation.ids()) {
            if (!m.contains(id)) {
                outside.add(id);
            }
        }
        java.util.List<dev.keel.raft.NodeId> newVoters = new ArrayList<>(voters);
        java.util.List<dev.keel.raft.NodeId> newLearners = new ArrayList<>(learners);
        String action;
        int choice = random.nextInt(8);
        if (choice == 0 && !outside.isEmpty()) {
            action = "add learner";
            newLearners.add(pick(outside));
        } else if (choice == 1 && !learners.isEmpty()) {
            action = "promote learner";
            dev.keel.raft.NodeId id = pick(learners);
            newLearners.remove(id);
            newVoters.add(id);
        } else if (choice == 2 && !outside.isEmpty() && voters.size() < 5) {
            action = "add voter";
            newVoters.add(pick(outside));
        } else if (choice == 3 && voters.size() > 2) {
            action = "remove voter";
            newVoters.remove(pick(voters));
        } else if (choice == 4 && !outside.isEmpty()) {
            action = "replace voter";
            newVoters.remove(pick(voters));
            newVoters.add(pick(outside));
        } else if (choice == 5 && voters.size() > 2) {
            action = "demote voter";
            dev.keel.raft.NodeId id = pick(voters);
            newVoters.remove(id);
            newLearners.add(id);
        } else if (choice == 6 && !learners.isEmpty()) {
            action = "remove learner";
            newLearners.remove(pick(learners));
        } else {
            java.util.List<dev.keel.raft.NodeId> others = new ArrayList<>(voters);
            others.remove(server.id());
            if (others.isEmpty()) {
                return;
            }
            dev.keel.raft.NodeId target = pick(others);
            count(Fault.MEMBERSHIP, "hand leadership from " + server.id() + " to " + target);
            server.transferLeadership(target).whenComplete((v, e) -> simulation.note("TRANSFER to " + target + " "
                    + (e == null ? "done" : "failed: " + rootMessage(e))));
            return;
        }
        count(Fault.MEMBERSHIP, action + ": voters " + newVoters + ", learners " + newLearners);
        server.changeMembership(members(newVoters), members(newLearners), status.membershipIndex())
                .whenComplete((v, e) -> simulation.note("MEMBERSHIP " + action + " "
                        + (e == null ? "committed: " + v : "failed: " + rootMessage(e))));
    }

    private dev.keel.raft.NodeId pick(java.util.List<dev.keel.raft.NodeId> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static java.util.List<dev.keel.raft.Member> members(java.util.List<dev.keel.raft.NodeId> ids) {
        return ids.stream().map(dev.keel.raft.Member::of).toList();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t != t.getCause()) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
