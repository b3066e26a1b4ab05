package dev.keel.raft.examples.kv.container;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client of the counter nemesis: {@code INCR}s one of a few shared counters at a time, through whichever node it is
 * connected to (it moves on to the next node when its connection breaks, and every so often anyway), and counts, per
 * counter, what came back: a new value (acknowledged: applied exactly once), {@code -TRYAGAIN} (certainly not
 * applied), {@code -INDETERMINATE} (the node's request deadline passed while it may have been applied), or no answer at
 * all (the connection broke or timed out with the increment in flight: pending, it may still be applied).
 *
 * <p>Runs on its own thread; the counts are safe to read from others once it has stopped.
 */
final class CounterClient implements Runnable {
    /** Increments on one node before moving to the next, so every node serves every client. */
    private static final int OPS_PER_NODE = 50;

    private final int id;
    private final ContainerCluster cluster;
    private final List<String> keys;
    private final Random random;
    private final AtomicBoolean running;
    private final int timeoutMs;
    private final int maxOps;
    private int node;
    private final AtomicInteger acknowledgedTotal = new AtomicInteger();
    private final Map<String, Tally> tallies = new TreeMap<>();

    /** What one client saw for one counter. */
    static final class Tally {
        int acknowledged;
        int refused;
        int indeterminate;
        int pending;

        void add(Tally t) {
            acknowledged += t.acknowledged;
            refused += t.refused;
            indeterminate += t.indeterminate;
            pending += t.pending;
        }

        @Override
        public String toString() {
            return acknowledged + " acknowledged, " + refused + " refused, " + indeterminate + " indeterminate, "
                    + pending + " pending";
        }
    }

    /**
     * @param timeoutMs how long to wait for a reply: longer than the nodes' request timeout, so that an answer the
     *                  node gives always arrives
     */
    CounterClient(int id, ContainerCluster cluster, List<String> keys, long seed, AtomicBoolean running, int timeoutMs,
                  int maxOps) {
        this.id = id;
        this.cluster = cluster;
        this.keys = keys;
        this.random = new Random(seed);
        this.running = running;
        this.timeoutMs = timeoutMs;
        this.maxOps = maxOps;
        this.node = id % cluster.size();
        keys.forEach(k -> tallies.put(k, new Tally()));
    }

    @Override
    public void run() {
        Jedis jedis = null;
        int onThisNode = 0;
        int ops = 0;
        while (running.get() && ops < maxOps) {
            if (jedis == null || onThisNode >= OPS_PER_NODE) {
                if (jedis != null) {
                    jedis.close();
                    node = (node + 1) % cluster.size();
                }
                onThisNode = 0;
                jedis = connect();
                if (jedis == null) {
                    node = (node + 1) % cluster.size();
                    pace();
                    continue;
                }
            }
            onThisNode++;
            ops++;
            String key = keys.get(random.nextInt(keys.size()));
            Tally t = tallies.get(key);
            try {
                jedis.incr(key);
                t.acknowledged++;
                acknowledgedTotal.incrementAndGet();
            } catch (JedisDataException e) {
                String message = String.valueOf(e.getMessage());
                if (message.startsWith("TRYAGAIN")) {
                    t.refused++;
                } else if (message.startsWith("INDETERMINATE")) {
                    t.indeterminate++;
                } else {
                    throw new AssertionError("client " + id + ": INCR " + key + " answered " + message, e);
                }
            } catch (JedisException e) {
                // No answer: timed out or the connection broke with the increment in flight.
                t.pending++;
                jedis.close();
                jedis = null;
                node = (node + 1) % cluster.size();
            }
        }
        if (jedis != null) {
            jedis.close();
        }
    }

    private Jedis connect() {
        try {
            Jedis j = cluster.client(node, timeoutMs);
            j.ping();
            return j;
        } catch (RuntimeException e) {
            return null; // not reachable now (killed, paused, restarting): nothing was sent
        }
    }

    private static void pace() {
        try {
            Thread.sleep(100); // only paces reconnect attempts to a node that is down; nothing waits on it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Increments acknowledged so far, all counters; safe to call while the client runs. */
    int acknowledged() {
        return acknowledgedTotal.get();
    }

    /** Per counter, what this client saw; call once it has stopped. */
    Map<String, Tally> tallies() {
        return tallies;
    }
}
