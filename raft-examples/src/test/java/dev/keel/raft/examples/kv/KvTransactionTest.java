package dev.keel.raft.examples.kv;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MULTI/EXEC/DISCARD/WATCH on a 3-node cluster: one log entry per transaction, applied atomically on every node. */
@Timeout(120)
class KvTransactionTest {
    static LocalKvCluster cluster;

    @BeforeAll
    static void startCluster(@TempDir Path dir) {
        cluster = new LocalKvCluster(3, dir, 1024, 10_000);
        cluster.awaitLeader(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Jedis client(int node) {
        return new Jedis("127.0.0.1", cluster.clientPort(node), 30_000);
    }

    @Test
    void execRunsTheQueuedCommandsInOrderAndRepliesToEach() {
        for (int node = 0; node < 3; node++) {
            try (Jedis j = client(node)) {
                String k = "tx:" + node;
                Transaction t = j.multi();
                t.set(k, "1");
                t.incrBy(k, 9);
                t.get(k);
                t.hset(k + ":h", "f", "v");
                t.get(k + ":h");
                List<Object> replies = t.exec();
                assertThat(replies).hasSize(5);
                assertThat(replies.subList(0, 4)).containsExactly("OK", 10L, "10", 1L);
                assertThat(replies.get(4)).isInstanceOf(JedisDataException.class);
                assertThat(((Exception) replies.get(4)).getMessage()).startsWith("WRONGTYPE");
                for (int reader = 0; reader < 3; reader++) {
                    try (Jedis r = client(reader)) {
                        assertThat(r.get(k)).isEqualTo("10");
                    }
                }
            }
        }
    }

    @Test
    void anErrorWhileQueueingDiscardsTheWholeTransaction() {
        try (Jedis j = client(1)) {
            assertThat(j.sendCommand(Command.MULTI)).isNotNull();
            assertThat(j.sendCommand(Command.SET, "tx:abort", "1")).isEqualTo("QUEUED".getBytes());
            assertThatThrownBy(() -> j.sendCommand(Command.GET)).hasMessageContaining("wrong number of arguments");
            assertThatThrownBy(() -> j.sendCommand(() -> "NOSUCH".getBytes(), "x")).hasMessageContaining("unknown");
            assertThatThrownBy(() -> j.sendCommand(Command.EXEC)).hasMessageContaining("EXECABORT");
            assertThat(j.get("tx:abort")).isNull();
            assertThatThrownBy(() -> j.sendCommand(Command.EXEC)).hasMessageContaining("EXEC without MULTI");
            assertThatThrownBy(() -> j.sendCommand(Command.DISCARD)).hasMessageContaining("DISCARD without MULTI");
            Transaction t = j.multi();
            t.set("tx:discarded", "1");
            assertThat(t.discard()).isEqualTo("OK");
            assertThat(j.get("tx:discarded")).isNull();
        }
    }

    @Test
    void aWatchedKeyChangedByAnotherClientMakesExecRunNothing() {
        try (Jedis a = client(0); Jedis b = client(2)) {
            a.set("tx:w", "1");
            assertThat(a.watch("tx:w")).isEqualTo("OK");
            assertThat(a.get("tx:w")).isEqualTo("1");
            b.set("tx:w", "changed");
            Transaction t = a.multi();
            t.set("tx:w", "2");
            t.set("tx:side", "effect");
            assertThat(t.exec()).isNull();
            assertThat(a.get("tx:w")).isEqualTo("changed");
            assertThat(a.exists("tx:side")).isFalse();
            // Unchanged: runs; and EXEC forgot the watch, so the next transaction runs whatever happens.
            a.watch("tx:w");
            Transaction t2 = a.multi();
            t2.set("tx:w", "3");
            assertThat(t2.exec()).containsExactly("OK");
            b.set("tx:w", "4");
            Transaction t3 = a.multi();
            t3.set("tx:w", "5");
            assertThat(t3.exec()).containsExactly("OK");
            // UNWATCH forgets too.
            a.watch("tx:w");
            b.set("tx:w", "6");
            assertThat(a.unwatch()).isEqualTo("OK");
            Transaction t4 = a.multi();
            t4.get("tx:w");
            assertThat(t4.exec()).containsExactly("6");
        }
    }

    /**
     * Clients on every node increment one counter with WATCH/GET/MULTI/SET/EXEC, retrying when EXEC aborts: a lost
     * update would leave the counter below the number of successful transactions.
     */
    @Test
    void optimisticIncrementsFromEveryNodeLoseNoUpdate() throws Exception {
        int clients = 6;
        int perClient = 15;
        AtomicInteger aborts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int node = c % 3;
                done.add(pool.submit(() -> {
                    try (Jedis j = client(node)) {
                        for (int i = 0; i < perClient; i++) {
                            while (true) {
                                j.watch("tx:counter");
                                String v = j.get("tx:counter");
                                Transaction t = j.multi();
                                t.set("tx:counter", Long.toString((v == null ? 0 : Long.parseLong(v)) + 1));
                                if (t.exec() != null) {
                                    break;
                                }
                                aborts.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Jedis j = client(1)) {
            assertThat(j.get("tx:counter")).isEqualTo(Integer.toString(clients * perClient));
        }
        System.out.println("optimistic increments: " + aborts.get() + " aborted attempts");
    }

    /** A transaction writing two keys together is never seen half done by a reader on any node. */
    @Test
    void readersNeverSeeHalfATransaction() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int node = 0; node < 3; node++) {
                int n = node;
                readers.add(pool.submit(() -> {
                    try (Jedis r = client(n)) {
                        while (!stop.get()) {
                            List<String> both = r.mget("tx:left", "tx:right");
                            assertThat(both.get(0)).as("left and right after %d reads", reads.get())
                                    .isEqualTo(both.get(1));
                            reads.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            try (Jedis w = client(0)) {
                for (int i = 0; i < 100; i++) {
                    Transaction t = w.multi();
                    t.set("tx:left", Integer.toString(i));
                    t.set("tx:right", Integer.toString(i));
                    assertThat(t.exec()).containsExactly("OK", "OK");
                }
            }
            stop.set(true);
            for (Future<?> f : readers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        assertThat(reads.get()).isPositive();
    }
}
