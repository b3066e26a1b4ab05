package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.config.ConfigException;
import dev.keel.raft.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Membership changes of real KV nodes over loopback, through the RESP admin commands and {@code --join}, under
 * continuous writes: grow 3 to 5, replace a stopped node, shrink to 3 (removing the leader), transfer leadership.
 */
@Timeout(180)
class KvMembershipTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    LocalKvCluster cluster;
    Writers writers;

    @AfterEach
    void stop() {
        if (writers != null) {
            writers.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void growReplaceShrinkAndTransferUnderWritesLoseNoAcknowledgedWrite() {
        cluster = new LocalKvCluster(3, dir, 1024, 5000);
        int leader = cluster.awaitLeader(WAIT);
        int follower = (leader + 1) % 3;
        List<Integer> serving = new CopyOnWriteArrayList<>(List.of(0, 1, 2));
        writers = new Writers(cluster, serving, 3);
        writers.awaitMore(50);

        // Grow to 5: n4 joins by itself through a follower; n5 is added as a learner by an admin first, then
        // started with --join, which promotes it once it has caught up.
        int n4 = cluster.join("n4", follower);
        awaitVoters(follower, "n1", "n2", "n3", "n4");
        int n5 = cluster.prepareJoin("n5", follower);
        assertThat(admin(follower, "RAFT.ADD", "n5", cluster.raftAddress(n5), "LEARNER")).isEqualTo("OK");
        assertThat(members(leader).get("n5")).startsWith("learner");
        cluster.start(n5);
        awaitVoters(n4, "n1", "n2", "n3", "n4", "n5");
        serving.addAll(List.of(n4, n5));
        writers.awaitMore(50);

        // Replace a stopped follower with a fresh node.
        int victim = cluster.currentLeader().map(l -> (l + 2) % 3).orElse(2);
        serving.remove(Integer.valueOf(victim));
        cluster.stop(victim);
        assertThat(admin(n5, "RAFT.REMOVE", cluster.id(victim))).isEqualTo("OK");
        int n6 = cluster.join("n6", n4);
        List<String> five = new ArrayList<>(List.of("n1", "n2", "n3", "n4", "n5", "n6"));
        five.remove(cluster.id(victim));
        awaitVoters(n4, five.toArray(String[]::new));
        serving.add(n6);
        writers.awaitMore(50);

        // Shrink to the three new nodes, the leader first: it manages its own removal, then steps down.
        List<Integer> originals = new ArrayList<>(List.of(0, 1, 2));
        originals.remove(Integer.valueOf(victim));
        int oldLeader = cluster.awaitLeader(WAIT);
        originals.sort((a, b) -> a == oldLeader ? -1 : b == oldLeader ? 1 : 0);
        for (int gone : originals) {
            serving.remove(Integer.valueOf(gone));
            assertThat(admin(n6, "RAFT.REMOVE", cluster.id(gone))).isEqualTo("OK");
            cluster.stop(gone);
            writers.awaitMore(20);
        }
        awaitVoters(n4, "n4", "n5", "n6");

        // Transfer leadership among the new nodes, asked through a follower; writes through every node go on.
        int from = cluster.awaitLeader(WAIT);
        int to = from == n4 ? n5 : n4;
        int via = List.of(n4, n5, n6).stream().filter(i -> i != from && i != to).findFirst().orElseThrow();
        assertThat(admin(via, "RAFT.TRANSFER", cluster.id(to))).isEqualTo("OK");
        assertThat(cluster.awaitLeader(WAIT)).isEqualTo(to);
        writers.awaitMore(100);
        writers.close();

        // Nodes that joined after the cluster started (no peers configured) reach a leader that joined after them:
        // Keel forwards over the Raft transport, so a write through each must succeed.
        for (int i : List.of(n4, n5, n6)) {
            try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(i), 10_000)) {
                assertThat(j.set("after-transfer:" + i, "x")).isEqualTo("OK");
            }
        }
        Map<String, String> acknowledged = writers.acknowledged;
        System.out.printf("membership test: %d writes acknowledged, %d failed; longest gap between successes %d ms%n",
                acknowledged.size(), writers.failures.size(), writers.longestGapMillis());
        for (int i : List.of(n4, n5, n6)) {
            try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(i), 10_000)) {
                List<String> keys = new ArrayList<>(acknowledged.keySet());
                for (int from2 = 0; from2 < keys.size(); from2 += 500) {
                    List<String> chunk = keys.subList(from2, Math.min(keys.size(), from2 + 500));
                    List<String> values = j.mget(chunk.toArray(String[]::new));
                    for (int k = 0; k < chunk.size(); k++) {
                        assertThat(values.get(k)).as("%s on %s", chunk.get(k), cluster.id(i))
                                .isEqualTo(acknowledged.get(chunk.get(k)));
                    }
                }
            }
        }
    }

    @Test
    void badMembershipRequestsGetClearErrors() {
        cluster = new LocalKvCluster(3, dir, 1024, 2000);
        int leader = cluster.awaitLeader(WAIT);
        int follower = (leader + 1) % 3;
        assertThatThrownBy(() -> admin(follower, "RAFT.REMOVE", "n9")).isInstanceOf(JedisDataException.class)
                .hasMessage("ERR n9 is not a member");
        assertThatThrownBy(() -> admin(follower, "RAFT.ADD", "n2", "127.0.0.1:1")).hasMessageContaining(
                "ERR n2 is already a member at '" + cluster.raftAddress(1) + "'");
        assertThatThrownBy(() -> admin(follower, "RAFT.ADD", "n4")).hasMessage(
                "ERR wrong number of arguments for 'raft.add' command");
        assertThatThrownBy(() -> admin(follower, "RAFT.TRANSFER", "n9")).hasMessageStartingWith("ERR");
        // A retried add of a member that is already there succeeds.
        assertThat(admin(follower, "RAFT.ADD", "n2", cluster.raftAddress(1))).isEqualTo("OK");
        Map<String, String> members = members(follower);
        assertThat(members).containsOnlyKeys("n1", "n2", "n3");
        assertThat(members.get("n1")).isEqualTo("voter " + cluster.raftAddress(0) + " 127.0.0.1:"
                + cluster.clientPort(0));
        // A node that already has data refuses to --join.
        cluster.stop(follower);
        assertThatThrownBy(() -> cluster.restartJoining(follower, leader)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--join is for the first start of a new member only");
    }

    /** Waits until the configuration, as the leader reports it through node {@code via}, has exactly these voters. */
    private void awaitVoters(int via, String... ids) {
        Set<String> want = Set.of(ids);
        Await.until("voters " + want, WAIT, () -> {
            try {
                Map<String, String> m = members(via);
                Set<String> voters = m.entrySet().stream().filter(e -> e.getValue().startsWith("voter "))
                        .map(Map.Entry::getKey).collect(Collectors.toSet());
                return voters.equals(want) && m.size() == want.size() && !changeInProgress(via);
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    /** RAFT.MEMBERS through node {@code i}: id to "role raft client". */
    private Map<String, String> members(int i) {
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(i), 90_000)) {
            return MembersReply.of(j).members();
        }
    }

    /** Whether RAFT.MEMBERS through node {@code i} says a change is in progress (the next would be refused). */
    private boolean changeInProgress(int i) {
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(i), 90_000)) {
            return MembersReply.of(j).changeInProgress();
        }
    }

    private String admin(int i, String... args) {
        return MembersReply.text(command(i, args));
    }

    private Object command(int i, String... args) {
        try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(i), 90_000)) {
            return MembersReply.send(j, args);
        }
    }

    /** Clients writing unique keys through the serving nodes in turn, recording what was acknowledged. */
    static final class Writers implements AutoCloseable {
        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        private final long[] lastSuccess;
        private final long[] longestGap;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Writers(LocalKvCluster cluster, List<Integer> serving, int clients) {
            lastSuccess = new long[clients];
            longestGap = new long[clients];
            for (int c = 0; c < clients; c++) {
                int client = c;
                Thread t = new Thread(() -> run(cluster, serving, client), "writer-" + c);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        private void run(LocalKvCluster cluster, List<Integer> serving, int client) {
            lastSuccess[client] = System.nanoTime();
            // Bounded: at most 100k writes per client, and the test's timeout.
            for (int n = 0; n < 100_000 && running.get(); n++) {
                List<Integer> nodes = List.copyOf(serving);
                int node = nodes.get((n + client) % nodes.size());
                String key = "c" + client + ":" + n;
                try (Jedis j = new Jedis("127.0.0.1", cluster.clientPort(node), 10_000)) {
                    if ("OK".equals(j.set(key, "v" + n))) {
                        acknowledged.put(key, "v" + n);
                        long now = System.nanoTime();
                        longestGap[client] = Math.max(longestGap[client], now - lastSuccess[client]);
                        lastSuccess[client] = now;
                    }
                } catch (RuntimeException e) {
                    failures.add(key + " via " + cluster.id(node) + ": " + e.getMessage());
                }
            }
        }

        /** Waits until {@code n} more writes have been acknowledged. */
        void awaitMore(int n) {
            int target = acknowledged.size() + n;
            Await.until(n + " more acknowledged writes", WAIT, () -> acknowledged.size() >= target);
        }

        long longestGapMillis() {
            return Arrays.stream(longestGap).max().orElse(0) / 1_000_000;
        }

        @Override
        public void close() {
            running.set(false);
            for (Thread t : threads) {
                try {
                    t.join(20_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
