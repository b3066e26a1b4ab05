package dev.keel.raft.examples.kv.container;

import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.linearizability.CheckResult;
import dev.keel.raft.testing.linearizability.History;
import dev.keel.raft.testing.linearizability.LinearizabilityChecker;
import dev.keel.raft.testing.linearizability.Operation;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The KV cluster as shipped, under a nemesis: concurrent clients read, write and compare-and-set a few keys through
 * every node while faults come one after another (every family of {@link ContainerNemesis.Kind}, in a random order,
 * round after round), each held for a few seconds and then healed. Afterwards every key is read through every node.
 *
 * <p>Passes only if the whole history, final reads included, is linearizable (a verdict of UNKNOWN fails), no
 * acknowledged write was lost, the cluster recovered after every fault, and every node's state machine ends
 * identical ({@code RAFT.DIGEST} once all nodes applied the same index). On failure the history and the verdict are
 * written to {@code target/nemesis/}.
 *
 * <p>System properties: {@code keel.nemesis.nodes} (3), {@code keel.nemesis.duration} (at least one round of every
 * fault, then further rounds until this much time has passed; default {@code 120s}, e.g. {@code 10m}),
 * {@code keel.nemesis.clients} (6), {@code keel.nemesis.seed} (random, printed).
 */
class KvNemesisIT {
    private static final int NODES = Integer.getInteger("keel.nemesis.nodes", 3);
    private static final int CLIENTS = Integer.getInteger("keel.nemesis.clients", 6);
    private static final Duration DURATION = duration(System.getProperty("keel.nemesis.duration", "120s"));
    private static final long SEED = Long.getLong("keel.nemesis.seed", System.nanoTime());
    private static final List<String> KEYS = List.of("nemesis:a", "nemesis:b", "nemesis:c", "nemesis:d", "nemesis:e");
    /** How long each fault stays in force: several election timeouts (0.5-1 s in the cluster's configuration). */
    private static final Duration HOLD = Duration.ofSeconds(5);
    private static final Duration RECOVERY = Duration.ofSeconds(60);
    private static final int CLIENT_TIMEOUT_MS = 10_000;
    /** Bounds the history (and the checker's work) whatever the duration. */
    private static final int MAX_OPS_PER_CLIENT = 100_000;
    private static final Path REPORTS = Path.of("target", "nemesis");

    private final LongSupplier clock = new MicrosSince(System.nanoTime());

    @Test
    void underEveryFaultTheHistoryIsLinearizableNoAcknowledgedWriteIsLostAndTheReplicasEndIdentical() {
        if (NODES < 3 || NODES > 7) {
            throw new IllegalArgumentException("keel.nemesis.nodes must be between 3 and 7, was " + NODES);
        }
        if (CLIENTS < 1 || CLIENTS > 32) {
            throw new IllegalArgumentException("keel.nemesis.clients must be between 1 and 32, was " + CLIENTS);
        }
        DockerRequirement.check();
        System.out.printf("nemesis: %d nodes, %d clients, %s, seed %d (replay with -Dkeel.nemesis.seed=%d)%n",
                NODES, CLIENTS, DURATION, SEED, SEED);
        // Every wait below has its own deadline; this one bounds the whole run, whatever the duration asked for.
        assertTimeoutPreemptively(DURATION.plus(Duration.ofMinutes(6)), this::run);
    }

    private void run() {
        try (ContainerCluster cluster = new ContainerCluster("nemesis", NODES)) {
            LinkFaults links = new LinkFaults(cluster);
            links.checkAvailable();
            cluster.awaitLeader(RECOVERY, all());

            AtomicBoolean running = new AtomicBoolean(true);
            List<NemesisClient> clients = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                NemesisClient client = new NemesisClient(c, cluster, KEYS, SEED + 1 + c, clock, running,
                        MAX_OPS_PER_CLIENT, CLIENT_TIMEOUT_MS);
                Thread t = new Thread(client, "nemesis-client-" + c);
                t.setDaemon(true);
                t.start();
                clients.add(client);
                threads.add(t);
            }
            ContainerNemesis nemesis = new ContainerNemesis(cluster, links, SEED, RECOVERY);
            List<Operation> history = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            try {
                runFaults(cluster, nemesis, clients);
            } catch (RuntimeException | AssertionError e) {
                failures.add("during the faults: " + e);
            } finally {
                running.set(false);
                for (Thread t : threads) {
                    join(t);
                }
                clients.forEach(c -> history.addAll(c.operations()));
            }
            if (failures.isEmpty()) {
                try {
                    failures.addAll(finalChecks(cluster, clients, history));
                } catch (RuntimeException | AssertionError e) {
                    failures.add("in the final checks: " + e);
                }
            }
            CheckResult result = LinearizabilityChecker.builder().timeBudget(Duration.ofSeconds(90)).build()
                    .check(History.of(history));
            summarize(history, nemesis.counts(), clients, result);
            if (!result.isLinearizable()) {
                failures.add(result.report());
            }
            failures.addAll(lostAcknowledgedWrites(history));
            if (!failures.isEmpty()) {
                Path where = writeReport(history, result, failures);
                throw new AssertionError("nemesis run with seed " + SEED + " failed (history and verdict in "
                        + where + "):\n" + String.join("\n", failures));
            }
        }
    }

    /** Rounds of every fault kind until the duration is over; the first round always completes. */
    private void runFaults(ContainerCluster cluster, ContainerNemesis nemesis, List<NemesisClient> clients) {
        long start = System.nanoTime();
        awaitProgress(clients, "before the first fault");
        for (int round = 0; round == 0 || System.nanoTime() - start < DURATION.toNanos(); round++) {
            for (ContainerNemesis.Kind kind : nemesis.round()) {
                if (round > 0 && System.nanoTime() - start >= DURATION.toNanos()) {
                    break;
                }
                int[] before = outcomes(clients);
                ContainerNemesis.Applied fault = nemesis.inject(kind);
                log("fault " + fault.description());
                try {
                    hold();
                } finally {
                    fault.heal().run(); // also when interrupted: a paused container cannot even be removed
                }
                int[] after = outcomes(clients);
                log(String.format("healed %s; meanwhile %d ok, %d failed, %d unknown", kind, after[0] - before[0],
                        after[1] - before[1], after[2] - before[2]));
                int leader = cluster.awaitLeader(RECOVERY, all());
                awaitProgress(clients, "after " + fault.description() + " healed (leader n" + (leader + 1) + ")");
            }
        }
    }

    /** The cluster serves again: every client, wherever it connects, gets a few more answers within a bounded time. */
    private void awaitProgress(List<NemesisClient> clients, String when) {
        int target = okCount(clients) + 10 * clients.size();
        Await.until("clients making progress " + when, RECOVERY, () -> okCount(clients) >= target);
    }

    /** Operations so far with outcome OK, FAIL and UNKNOWN. */
    private static int[] outcomes(List<NemesisClient> clients) {
        int[] counts = new int[3];
        for (NemesisClient c : clients) {
            counts[0] += c.okCount();
            counts[1] += c.failedCount();
            counts[2] += c.unknownCount();
        }
        return counts;
    }

    private static int okCount(List<NemesisClient> clients) {
        int ok = 0;
        for (NemesisClient c : clients) {
            ok += c.okCount();
        }
        return ok;
    }

    /** Final reads of every key through every node, then identical replicas; returns what failed. */
    private List<String> finalChecks(ContainerCluster cluster, List<NemesisClient> clients, List<Operation> history) {
        List<String> failures = new ArrayList<>();
        for (NemesisClient c : clients) {
            failures.addAll(c.anomalies());
        }
        int leader = cluster.awaitLeader(RECOVERY, all());
        Map<String, Map<Integer, Long>> finalValues = new TreeMap<>();
        for (int node = 0; node < cluster.size(); node++) {
            for (String key : KEYS) {
                int n = node;
                Await.until("a final read of " + key + " through n" + (node + 1), RECOVERY, () -> {
                    Operation read = finalRead(cluster, n, key);
                    history.add(read);
                    if (read.isOk()) {
                        finalValues.computeIfAbsent(key, k -> new HashMap<>()).put(n, read.value());
                    }
                    return read.isOk();
                });
            }
        }
        finalValues.forEach((key, byNode) -> {
            if (byNode.values().stream().distinct().count() > 1) {
                failures.add("final reads of " + key + " differ between nodes: " + byNode);
            }
        });

        long commit = cluster.commitIndex(leader);
        Await.until("every node applied index " + commit + " or later, the same one", RECOVERY, () -> {
            List<Long> applied = IntStream.range(0, cluster.size()).mapToObj(i -> cluster.raftInfo(i)
                    .map(f -> Long.parseLong(f.get("applied_index"))).orElse(-1L)).toList();
            return applied.get(0) >= commit && applied.stream().distinct().count() == 1;
        });
        Map<Integer, List<String>> digests = new TreeMap<>();
        for (int i = 0; i < cluster.size(); i++) {
            digests.put(i + 1, digest(cluster, i));
        }
        log("state digests (keys, hash) by node: " + digests);
        if (digests.values().stream().distinct().count() > 1) {
            failures.add("the nodes' state machines differ: (keys, hash) by node " + digests);
        }
        long written = finalValues.values().stream().filter(v -> v.values().stream().anyMatch(x -> x != 0)).count();
        if (!digests.get(1).get(0).equals(Long.toString(written))) {
            failures.add("n1 holds " + digests.get(1).get(0) + " keys, but the final reads found " + written);
        }
        return failures;
    }

    private Operation finalRead(ContainerCluster cluster, int node, String key) {
        int client = 1000 + node; // the final readers are clients of their own
        long invoked = clock.getAsLong();
        try (Jedis j = cluster.client(node, CLIENT_TIMEOUT_MS)) {
            String value = j.get(key);
            return Operation.read(client, key, value == null ? 0 : Long.parseLong(value), invoked,
                    clock.getAsLong());
        } catch (JedisException e) {
            // A read that failed changed nothing; recorded as failed and tried again.
            return Operation.read(client, key, 0, invoked, clock.getAsLong()).asFailed();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> digest(ContainerCluster cluster, int node) {
        try (Jedis j = cluster.client(node, CLIENT_TIMEOUT_MS)) {
            List<Object> reply = (List<Object>) j.sendCommand(() -> "RAFT.DIGEST".getBytes(StandardCharsets.US_ASCII));
            return reply.stream().map(b -> new String((byte[]) b, StandardCharsets.US_ASCII)).toList();
        }
    }

    /**
     * For every key, the final value must come from the last acknowledged write (or successful CAS) or from an
     * operation that may have taken effect after it: a value that was certainly overwritten before that write began
     * means the write was lost. Checked separately from linearizability so that the failure says so plainly.
     */
    static List<String> lostAcknowledgedWrites(List<Operation> history) {
        List<String> failures = new ArrayList<>();
        Map<String, Operation> lastAcknowledged = new HashMap<>();
        Map<String, Map<Long, Operation>> writers = new HashMap<>();
        Map<String, Operation> finalRead = new HashMap<>();
        for (Operation op : history) {
            boolean writer = op.kind() == Operation.Kind.WRITE || op.kind() == Operation.Kind.CAS;
            if (writer && op.outcome() != Operation.Outcome.FAIL) {
                writers.computeIfAbsent(op.key(), k -> new HashMap<>()).put(op.value(), op);
            }
            boolean acknowledged = op.isOk() && (op.kind() == Operation.Kind.WRITE || op.casSucceeded());
            if (acknowledged) {
                lastAcknowledged.merge(op.key(), op, (a, b) ->
                        a.completedAt().getAsLong() >= b.completedAt().getAsLong() ? a : b);
            }
            if (op.kind() == Operation.Kind.READ && op.isOk() && op.client() >= 1000) {
                finalRead.merge(op.key(), op, (a, b) ->
                        a.completedAt().getAsLong() >= b.completedAt().getAsLong() ? a : b);
            }
        }
        lastAcknowledged.forEach((key, write) -> {
            Operation read = finalRead.get(key);
            if (read == null) {
                failures.add("no final read of " + key);
                return;
            }
            Operation source = writers.getOrDefault(key, Map.of()).get(read.value());
            boolean overwrittenBefore = source == null || (source != write && source.isOk()
                    && source.completedAt().getAsLong() < write.invokedAt());
            if (overwrittenBefore) {
                failures.add("acknowledged write lost: " + write + ", but the final read is " + read
                        + (source == null ? ", a value nobody wrote" : ", written by " + source + " before it"));
            }
        });
        return failures;
    }

    private void summarize(List<Operation> history, Map<ContainerNemesis.Kind, Integer> faults,
                           List<NemesisClient> clients, CheckResult result) {
        Map<Operation.Kind, Map<Operation.Outcome, Integer>> byKind = new EnumMap<>(Operation.Kind.class);
        for (Operation op : history) {
            byKind.computeIfAbsent(op.kind(), k -> new EnumMap<>(Operation.Outcome.class))
                    .merge(op.outcome(), 1, Integer::sum);
        }
        Map<String, Integer> errors = new TreeMap<>();
        clients.forEach(c -> c.errors().forEach((k, v) -> errors.merge(k, v, Integer::sum)));
        Map<Operation.Outcome, Integer> total = new EnumMap<>(Operation.Outcome.class);
        byKind.values().forEach(m -> m.forEach((k, v) -> total.merge(k, v, Integer::sum)));
        System.out.printf("nemesis: %d operations %s; by kind %s%n", history.size(), total, byKind);
        System.out.printf("nemesis: errors and broken connections %s%n", errors);
        // Latency is not asserted (faults make it what it is), but a stall shows here: ms, 50th/99th/max.
        Map<Operation.Kind, List<Long>> latencies = new EnumMap<>(Operation.Kind.class);
        for (Operation op : history) {
            if (op.isOk() && op.client() < 1000) {
                latencies.computeIfAbsent(op.kind(), k -> new ArrayList<>())
                        .add(op.completedAt().getAsLong() - op.invokedAt());
            }
        }
        StringBuilder lat = new StringBuilder();
        latencies.forEach((kind, list) -> {
            list.sort(null);
            lat.append(String.format(" %s %.1f/%.1f/%.1f", kind, list.get(list.size() / 2) / 1e3,
                    list.get((int) (list.size() * 0.99)) / 1e3, list.get(list.size() - 1) / 1e3));
        });
        System.out.printf("nemesis: latency of ok operations in ms (median/99th/max):%s%n", lat);
        int[] byNode = new int[NODES];
        clients.forEach(c -> {
            int[] mine = c.operationsByNode();
            for (int i = 0; i < byNode.length; i++) {
                byNode[i] += mine[i];
            }
        });
        System.out.printf("nemesis: client operations by node %s%n", java.util.Arrays.toString(byNode));
        System.out.printf("nemesis: faults %s (%d in all)%n", faults,
                faults.values().stream().mapToInt(Integer::intValue).sum());
        System.out.printf("nemesis: %s", result.report());
    }

    private Path writeReport(List<Operation> history, CheckResult result, List<String> failures) {
        try {
            Files.createDirectories(REPORTS);
            Path historyFile = REPORTS.resolve("history-" + SEED + ".txt");
            Files.writeString(historyFile, History.of(history).toString());
            Files.writeString(REPORTS.resolve("verdict-" + SEED + ".txt"),
                    result.report() + "\n" + String.join("\n", failures) + "\n");
            return REPORTS.toAbsolutePath();
        } catch (IOException e) {
            System.out.println("cannot write the nemesis report: " + e);
            return Path.of("(not written: " + e.getMessage() + ")");
        }
    }

    private static void hold() {
        try {
            // The fault's duration, not a wait for something to happen: the cluster runs degraded meanwhile.
            Thread.sleep(HOLD.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a fault was in force", e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join(CLIENT_TIMEOUT_MS * 3L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            throw new AssertionError(t.getName() + " did not stop within " + CLIENT_TIMEOUT_MS * 3L + " ms");
        }
    }

    private void log(String what) {
        System.out.printf("nemesis %8.1f s: %s%n", clock.getAsLong() / 1e6, what);
    }

    private static List<Integer> all() {
        return IntStream.range(0, NODES).boxed().toList();
    }

    /** {@code 90s}, {@code 10m}, {@code 1h} or an ISO-8601 duration ({@code PT90S}). */
    static Duration duration(String text) {
        Matcher m = Pattern.compile("(\\d+)\\s*([smh])").matcher(text.trim().toLowerCase());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("keel.nemesis.duration must look like 90s, 10m, 1h or PT90S, was '"
                    + text + "'", e);
        }
    }

    /** Microseconds since a start on the monotonic clock: the history's clock, shared by every client. */
    private record MicrosSince(long startNanos) implements LongSupplier {
        @Override
        public long getAsLong() {
            return (System.nanoTime() - startNanos) / 1000;
        }
    }
}
