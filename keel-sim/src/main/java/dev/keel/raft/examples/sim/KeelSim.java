package dev.keel.raft.examples.sim;

import dev.keel.raft.testing.sim.Fault;
import dev.keel.raft.testing.sim.InvariantViolation;
import dev.keel.raft.testing.sim.Simulation;
import dev.keel.raft.testing.sim.SimulationConfig;
import dev.keel.raft.testing.sim.SimulationResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code keel-sim}: runs the deterministic cluster simulator (real Keel servers on a simulated network, disks and
 * clock, with clients and a fault injector) and prints what happens, then the verdicts. The same seed always gives
 * the same run, so a seed that failed in CI can be replayed and read here.
 *
 * <p>Exit status: 0 if every property held, 1 on a violation, 2 for bad arguments.
 */
@Command(name = "keel-sim", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs a simulated Keel cluster under faults with clients, prints a timeline of what happens "
                + "(elections and votes, faults, crashes, commits, client operations) and checks every Raft safety "
                + "property and the clients' history for linearizability.")
public final class KeelSim implements Callable<Integer> {
    static final int OK = 0;
    static final int VIOLATION = 1;
    static final int USAGE = 2;
    private static final int LAST_EVENTS = 40;
    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)");

    @Option(names = "--nodes", description = "servers in the cluster, 1-9 (7 with membership) (default ${DEFAULT-VALUE})",
            defaultValue = "3")
    int nodes;
    @Option(names = "--seed", description = "seed of every random choice; same seed, same run (default: random, "
            + "printed)")
    Long seed;
    @Option(names = "--duration", description = "virtual time with faults and clients, e.g. 30s, 2m, 500ms; healing "
            + "and convergence follow (default ${DEFAULT-VALUE})", defaultValue = "60s")
    String duration;
    @Option(names = "--faults", description = "comma-separated fault families, or 'all' or 'none': drop, delay, "
            + "reorder, duplicate, partition, asymmetric-partition, partial-connectivity (a bridge), crash, "
            + "membership (default ${DEFAULT-VALUE})", defaultValue = "all")
    String faults;
    @Option(names = "--clients", description = "concurrent clients (default ${DEFAULT-VALUE})", defaultValue = "5")
    int clients;
    @Option(names = "--keys", description = "registers the clients read, write and compare-and-set "
            + "(default ${DEFAULT-VALUE})", defaultValue = "5")
    int keys;
    @Option(names = {"-v", "--verbose"}, description = "every vote, role change and client operation on its own line")
    boolean verbose;

    @Spec
    CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new KeelSim()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Set<Fault> faultSet;
        Duration time;
        try {
            faultSet = parseFaults(faults);
            time = parseDuration(duration);
            int spares = faultSet.contains(Fault.MEMBERSHIP) ? 2 : 0;
            if (nodes < 1 || nodes + spares > 9) {
                throw new IllegalArgumentException("--nodes must be between 1 and " + (9 - spares)
                        + (spares > 0 ? " (membership changes need 2 spare servers)" : "") + ", was " + nodes);
            }
            if (clients < 0 || clients > 100) {
                throw new IllegalArgumentException("--clients must be between 0 and 100, was " + clients);
            }
            if (keys < 1 || keys > 1000) {
                throw new IllegalArgumentException("--keys must be between 1 and 1000, was " + keys);
            }
        } catch (IllegalArgumentException e) {
            err.println("keel-sim: " + e.getMessage());
            err.flush();
            return USAGE;
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000_000L);
        SimulationConfig standard = SimulationConfig.standard(s, nodes, time);
        SimulationConfig config = new SimulationConfig(s, nodes, faultSet.contains(Fault.MEMBERSHIP) ? 2 : 0, time,
                faultSet, clients, standard.sessionClients(), keys, standard.raftConfig(), standard.disk());

        String replay = "keel-sim --nodes " + nodes + " --seed " + s + " --duration " + duration + " --faults "
                + faultNames(faultSet) + " --clients " + clients + " --keys " + keys;
        out.println("keel-sim: " + nodes + " servers, " + clients + " clients on " + keys + " registers, " + time
                .toMillis() / 1000.0 + " s of faults (" + faultNames(faultSet) + "), seed " + s);
        out.println("raft: " + describe(config));
        out.println();
        out.flush();

        // The servers' own logs would bury the timeline; -Dorg.slf4j.simpleLogger.defaultLogLevel=info shows them.
        if (System.getProperty(LOG_LEVEL) == null) {
            System.setProperty(LOG_LEVEL, "warn");
        }
        Timeline timeline = new Timeline(out, verbose);
        long started = System.nanoTime();
        SimulationResult result = Simulation.run(config, timeline);
        long wallMillis = (System.nanoTime() - started) / 1_000_000;
        timeline.finish(result.virtualNanos());
        report(out, result, wallMillis, replay);
        out.flush();
        return result.ok() ? OK : VIOLATION;
    }

    private static void report(PrintWriter out, SimulationResult r, long wallMillis, String replay) {
        SimulationResult.Stats st = r.stats();
        out.printf("simulated %.1f s in %.1f s of wall time: %d events, %d messages (%d lost), %d crashes, "
                        + "%d snapshots restored%n", r.virtualNanos() / 1e9, wallMillis / 1000.0, r.events(),
                st.messagesSent, st.messagesDropped, st.crashes, st.snapshotsRestored);
        out.println("faults fired: " + (r.faults().isEmpty() ? "none" : r.faults()));
        out.printf("clients: %d operations, %d writes and %d reads acknowledged%n", r.history().size(), st.writesOk,
                st.readsOk);
        InvariantViolation v = r.violation();
        boolean linearizabilityFailed = v != null && "linearizability".equals(v.invariant());
        if (v == null || linearizabilityFailed) {
            out.println("invariants: OK (" + st.invariantChecks + " checks of election safety, log matching, "
                    + "leader completeness, state machine safety, acknowledged writes; liveness and convergence "
                    + "after healing)");
        } else {
            out.println("invariants: VIOLATED - " + v.getMessage());
        }
        if (v == null) {
            out.println("linearizability: LINEARIZABLE (" + r.history().size() + " client operations, checked in "
                    + st.linearizabilityMillis + " ms)");
        } else if (linearizabilityFailed) {
            out.println("linearizability: NOT LINEARIZABLE");
            out.println(v.getMessage().indent(2).stripTrailing());
        } else {
            out.println("linearizability: NOT CHECKED (the run stopped at the violation above)");
        }
        if (v != null) {
            String[] events = r.lastEvents().split("\n");
            int shown = Math.min(LAST_EVENTS, events.length);
            out.println("the last " + shown + " events before the violation:");
            for (int i = events.length - shown; i < events.length; i++) {
                out.println("  " + events[i]);
            }
        }
        out.println("replay: " + replay);
    }

    private static String describe(SimulationConfig c) {
        var r = c.raftConfig();
        return "heartbeat " + r.heartbeatInterval().toMillis() + " ms, election timeout "
                + r.electionTimeoutMin().toMillis() + "-" + r.electionTimeoutMax().toMillis() + " ms, pre-vote "
                + (r.preVote() ? "on" : "off") + ", check-quorum " + (r.checkQuorum() ? "on" : "off")
                + ", snapshot every " + r.snapshotInterval() + " entries";
    }

    /**
     * {@code all}, {@code none}, or comma-separated fault names, case-insensitive, with {@code -} or {@code _}.
     *
     * @throws IllegalArgumentException naming the unknown fault and the known ones
     */
    static Set<Fault> parseFaults(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("all")) {
            return EnumSet.allOf(Fault.class);
        }
        Set<Fault> set = EnumSet.noneOf(Fault.class);
        if (t.equals("none")) {
            return set;
        }
        for (String name : t.split(",")) {
            String n = name.trim().replace('-', '_').toUpperCase(Locale.ROOT);
            if (n.equals("BRIDGE")) {
                n = Fault.PARTIAL_CONNECTIVITY.name();
            }
            try {
                set.add(Fault.valueOf(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--faults: unknown fault '" + name.trim() + "'; choose from "
                        + faultNames(EnumSet.allOf(Fault.class)) + " (or all, none)");
            }
        }
        return set;
    }

    private static String faultNames(Set<Fault> set) {
        if (set.isEmpty()) {
            return "none";
        }
        return set.stream().map(f -> f.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining(","));
    }

    /**
     * {@code 500ms}, {@code 30s}, {@code 2m} or ISO-8601 ({@code PT30S}); at least 1 s, at most 1 h.
     *
     * @throws IllegalArgumentException saying what a duration looks like
     */
    static Duration parseDuration(String text) {
        Duration d;
        Matcher m = SHORT_DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                default -> Duration.ofMinutes(n);
            };
        } else {
            try {
                d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--duration must look like 500ms, 30s, 2m or PT30S, was '" + text
                        + "'");
            }
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--duration must be between 1s and 1h, was " + text);
        }
        return d;
    }
}
