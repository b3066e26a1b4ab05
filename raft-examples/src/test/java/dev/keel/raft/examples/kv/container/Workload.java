package dev.keel.raft.examples.kv.container;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * A client writing unique keys one after another through one node, recording each outcome: acknowledged (the
 * cluster must keep it), refused ({@code -TRYAGAIN}: the node promises nothing was applied, so the key must stay
 * absent) or unknown ({@code -INDETERMINATE}, timeouts, broken connections: present or absent are both allowed).
 *
 * <p>Runs on its own thread until {@link #close()}; bounded by the test's own timeout.
 */
final class Workload implements AutoCloseable {
    private final ContainerCluster cluster;
    private final IntSupplier node;
    private final String prefix;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    final Set<String> unknown = ConcurrentHashMap.newKeySet();
    final Set<String> refused = ConcurrentHashMap.newKeySet();

    /**
     * @param node which node to write through (asked again after every failure, so it can follow the test)
     */
    Workload(ContainerCluster cluster, IntSupplier node, String prefix) {
        this.cluster = cluster;
        this.node = node;
        this.prefix = prefix;
        this.thread = new Thread(this::run, "workload-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    private void run() {
        int n = 0;
        Jedis jedis = null;
        while (running.get()) {
            String key = prefix + ":" + n;
            String value = "v" + n;
            n++;
            try {
                if (jedis == null) {
                    jedis = cluster.client(node.getAsInt(), 5000);
                }
                String reply = jedis.set(key, value);
                if ("OK".equals(reply)) {
                    acknowledged.put(key, value);
                } else {
                    unknown.add(key);
                }
            } catch (JedisDataException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("TRYAGAIN")) {
                    refused.add(key);
                } else {
                    unknown.add(key);
                }
            } catch (RuntimeException e) {
                // Connection lost or timed out with the write in flight: its outcome is unknown.
                unknown.add(key);
                if (jedis != null) {
                    jedis.close();
                    jedis = null;
                }
                pause();
            }
        }
        if (jedis != null) {
            jedis.close();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50); // only paces reconnect attempts; nothing waits on it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
