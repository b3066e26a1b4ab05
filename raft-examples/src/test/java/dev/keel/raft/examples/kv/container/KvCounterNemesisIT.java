package dev.keel.raft.examples.kv.container;

import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Exactly once under faults, end to end: clients {@code INCR} a few shared counters through every node of the KV
 * cluster as shipped, while leaders are killed, paused and cut off, random nodes killed, paused, restarted, and the
 * network split (every {@link ContainerNemesis.Kind}, round after round). Each connection writes through its own Keel
 * session, so a retried increment (a new leader, a lost forward or reply) is applied once. At the end every node holds
 * the same value for each counter, and that value is the number of acknowledged increments plus some of those whose
 * outcome the clients could not know: never fewer (an acknowledged increment lost) and never more (one applied twice,
 * or one refused with {@code -TRYAGAIN} applied).
 *
 * <p>An increment's outcome is unknown to its client when the node it talks to answers {@code -INDETERMINATE} (its
 * request deadline passed; the goal is that this never happens) or when the connection breaks with the increment in
 * flight (the node was killed or frozen under it). Both are counted and printed.
 *
 * <p>System properties: {@code keel.counters.nodes} (3), {@code keel.counters.clients} (6),
 * {@code keel.counters.duration} (at least one round of every fault; default {@code 60s}), {@code keel.counters.seed}.
 */
class KvCounterNemesisIT {
    private static final int NODES = Integer.getInteger("keel.counters.nodes", 3);
    private static final int CLIENTS = Integer.getInteger("keel.counters.clients", 6);
    private static final Duration DURATION = KvNemesisIT.duration(System.getProperty("keel.counters.duration", "60s"));
    private static final long SEED = Long.getLong("keel.counters.seed", System.nanoTime());
    private static final List<String> COUNTERS = List.of("counter:a", "counter:b", "counter:c");
    private static final Duration HOLD = Duration.ofSeconds(5);
    private static final Duration RECOVERY = Duration.ofSeconds(60);
    /** Longer than the nodes' request timeout (8 s, {@link ContainerCluster}): every answer a node gives arrives. */
    private static final int CLIENT_TIMEOUT_MS = 15_000;
    private static final int MAX_OPS_PER_CLIENT = 200_000;

    @Test
    void everyCounterEndsAtItsAcknowledgedIncrementsPlusSomeOfThoseInDoubtOnEveryNode() {
        DockerRequirement.check();
        System.out.printf("counters: %d nodes, %d clients, %s, seed %d (replay with -Dkeel.counters.seed=%d)%n",
                NODES, CLIENTS, DURATION, SEED, SEED);
        assertTimeoutPreemptively(DURATION.plus(Duration.ofMinutes(6)), this::run);
    }

    private void run() {
        try (ContainerCluster cluster = new ContainerCluster("counters", NODES)) {
            LinkFaults links = new LinkFaults(cluster);
            links.checkAvailable();
            cluster.awaitLeader(RECOVERY, all());

            AtomicBoolean running = new AtomicBoolean(true);
            List<CounterClient> clients = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                CounterClient client = new CounterClient(c, cluster, COUNTERS, SEED + 1 + c, running,
                        CLIENT_TIMEOUT_MS, MAX_OPS_PER_CLIENT);
                Thread t = new Thread(client, "counter-client-" + c);
                t.setDaemon(true);
                t.start();
                clients.add(client);
                threads.add(t);
            }
            ContainerNemesis nemesis = new ContainerNemesis(cluster, links, SEED, RECOVERY);
            try {
                long start = System.nanoTime();
                awaitProgress(clients, "before the first fault");
                for (int round = 0; round == 0 || System.nanoTime() - start < DURATION.toNanos(); round++) {
                    for (ContainerNemesis.Kind kind : nemesis.round()) {
                        if (round > 0 && System.nanoTime() - start >= DURATION.toNanos()) {
                            break;
                        }
                        ContainerNemesis.Applied fault = nemesis.inject(kind);
                        System.out.printf("counters: fault %s%n", fault.description());
                        try {
                            hold();
                        } finally {
                            fault.heal().run();
                        }
                        int leader = cluster.awaitLeader(RECOVERY, all());
                        awaitProgress(clients, "after " + fault.description() + " healed (leader n" + (leader + 1)
                                + ")");
                    }
                }
            } finally {
                running.set(false);
                for (Thread t : threads) {
                    join(t);
                }
            }

            Map<String, CounterClient.Tally> totals = new TreeMap<>();
            COUNTERS.forEach(k -> totals.put(k, new CounterClient.Tally()));
            for (CounterClient c : clients) {
                c.tallies().forEach((k, t) -> totals.get(k).add(t));
            }
            int leader = cluster.awaitLeader(RECOVERY, all());
            long commit = cluster.commitIndex(leader);
            Await.until("every node applied index " + commit, RECOVERY, () -> IntStream.range(0, cluster.size())
                    .allMatch(i -> cluster.raftInfo(i).map(f -> Long.parseLong(f.get("applied_index")) >= commit)
                            .orElse(false)));

            List<String> failures = new ArrayList<>();
            int indeterminate = 0;
            int pending = 0;
            int appliedInDoubt = 0;
            for (String key : COUNTERS) {
                CounterClient.Tally t = totals.get(key);
                indeterminate += t.indeterminate;
                pending += t.pending;
                List<Long> values = new ArrayList<>();
                for (int node = 0; node < cluster.size(); node++) {
                    values.add(finalValue(cluster, node, key));
                }
                long value = values.get(0);
                System.out.printf("counters: %s = %s on n1..n%d; clients saw %s%n", key, values, cluster.size(), t);
                if (values.stream().distinct().count() > 1) {
                    failures.add(key + " differs between nodes: " + values);
                }
                long inDoubt = (long) t.indeterminate + t.pending;
                if (value < t.acknowledged) {
                    failures.add(key + " = " + value + " but " + t.acknowledged + " increments were acknowledged: "
                            + (t.acknowledged - value) + " lost");
                } else if (value > t.acknowledged + inDoubt) {
                    failures.add(key + " = " + value + " but only " + t.acknowledged + " increments were acknowledged"
                            + " and " + inDoubt + " in doubt: " + (value - t.acknowledged - inDoubt)
                            + " applied twice (or refused and applied)");
                } else {
                    appliedInDoubt += (int) (value - t.acknowledged);
                }
            }
            System.out.printf("counters: faults %s; %d increments acknowledged, %d ended -INDETERMINATE, %d pending "
                            + "when their connection broke or timed out, of those in doubt %d were applied%n",
                    nemesis.counts(), totals.values().stream().mapToInt(t -> t.acknowledged).sum(), indeterminate,
                    pending, appliedInDoubt);
            assertThat(failures).as("counter checks (seed %d)", SEED).isEmpty();
            assertThat(totals.values().stream().mapToInt(t -> t.acknowledged).sum()).as("increments acknowledged")
                    .isPositive();
        }
    }

    private static long finalValue(ContainerCluster cluster, int node, String key) {
        long[] value = {-1};
        Await.until("a read of " + key + " through n" + (node + 1), RECOVERY, () -> {
            try (Jedis j = cluster.client(node, CLIENT_TIMEOUT_MS)) {
                String v = j.get(key);
                value[0] = v == null ? 0 : Long.parseLong(v);
                return true;
            } catch (JedisException e) {
                return false; // not serving yet; a read changes nothing, so try again
            }
        });
        return value[0];
    }

    private static void awaitProgress(List<CounterClient> clients, String when) {
        int target = clients.stream().mapToInt(CounterClient::acknowledged).sum() + 10 * clients.size();
        Await.until("increments acknowledged " + when, RECOVERY,
                () -> clients.stream().mapToInt(CounterClient::acknowledged).sum() >= target);
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

    private static List<Integer> all() {
        return IntStream.range(0, NODES).boxed().toList();
    }
}
