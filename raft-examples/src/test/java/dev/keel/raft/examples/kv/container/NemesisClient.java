package dev.keel.raft.examples.kv.container;

import dev.keel.raft.testing.linearizability.Operation;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * One client of the nemesis test: reads (GET), writes (SET, every value unique) and compare-and-sets (CAS) on a small
 * set of keys, through one node at a time and moving on to the next one every {@value #OPS_PER_NODE} operations and
 * after every broken connection, recording each operation for the linearizability checker.
 *
 * <p>Outcomes: a reply is {@code OK}; {@code -TRYAGAIN} is {@code FAIL}, since the node documents it as "nothing was
 * done" (no leader within the wait, too busy, stopping, a read that timed out); everything else is {@code UNKNOWN}:
 * {@code -INDETERMINATE}, timeouts and broken connections, and any other error, since nothing promises it was not
 * applied. Values are longs written as decimal strings; a missing key reads as 0, which no write uses.
 *
 * <p>Runs on its own thread until {@code running} turns false, for at most {@code maxOps} operations.
 */
final class NemesisClient implements Runnable {
    private static final int OPS_PER_NODE = 100;
    private static final ProtocolCommand CAS = () -> "CAS".getBytes(StandardCharsets.US_ASCII);

    private final int id;
    private final ContainerCluster cluster;
    private final List<String> keys;
    private final Random random;
    private final LongSupplier clock;
    private final AtomicBoolean running;
    private final int maxOps;
    private final int timeoutMs;
    private final List<Operation> operations = new ArrayList<>();
    /** The last value this client saw in each key: what its CASes expect. */
    private final Map<String, Long> lastSeen = new HashMap<>();
    private final Map<String, Integer> errors = new ConcurrentHashMap<>();
    private final List<String> anomalies = new ArrayList<>();
    /** Operations with outcome OK so far; read by the test thread while this one runs. */
    private final AtomicInteger ok = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger unknown = new AtomicInteger();
    /** Operations sent through each node. */
    private final int[] byNode;
    private int node;
    private long nextValue;

    /**
     * @param clock   the history's clock (the same for every client)
     * @param timeout how long to wait for a reply before the outcome counts as unknown
     */
    NemesisClient(int id, ContainerCluster cluster, List<String> keys, long seed, LongSupplier clock,
                  AtomicBoolean running, int maxOps, int timeoutMs) {
        this.id = id;
        this.cluster = cluster;
        this.keys = keys;
        this.random = new Random(seed);
        this.clock = clock;
        this.running = running;
        this.maxOps = maxOps;
        this.timeoutMs = timeoutMs;
        this.node = id % cluster.size();
        this.byNode = new int[cluster.size()];
        // Unique across clients: the client id in the high digits.
        this.nextValue = (id + 1) * 1_000_000_000L;
    }

    @Override
    public void run() {
        Jedis jedis = null;
        int onThisNode = 0;
        while (running.get() && operations.size() < maxOps) {
            if (jedis == null || onThisNode >= OPS_PER_NODE) {
                if (jedis != null) {
                    jedis.close();
                    node = (node + 1) % cluster.size();
                }
                onThisNode = 0;
                jedis = connect();
                if (jedis == null) {
                    node = (node + 1) % cluster.size();
                    pause();
                    continue;
                }
            }
            onThisNode++;
            int before = operations.size();
            boolean connected = runOne(jedis);
            if (operations.size() > before) {
                byNode[node]++;
                switch (operations.get(before).outcome()) {
                    case OK -> ok.incrementAndGet();
                    case FAIL -> failed.incrementAndGet();
                    case UNKNOWN -> unknown.incrementAndGet();
                }
            }
            if (!connected) {
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
            return null; // not reachable now (killed, restarting): no operation was sent
        }
    }

    /** Runs one random operation; false if the connection is broken. */
    private boolean runOne(Jedis jedis) {
        String key = keys.get(random.nextInt(keys.size()));
        double dice = random.nextDouble();
        long expected = lastSeen.getOrDefault(key, 0L);
        // CAS from 0 would mean "from absent", which the KV's CAS never matches: write instead.
        Operation.Kind kind = dice < 0.5 ? Operation.Kind.READ
                : dice < 0.75 || expected == 0 ? Operation.Kind.WRITE : Operation.Kind.CAS;
        long value = kind == Operation.Kind.READ ? 0 : ++nextValue;
        long invoked = clock.getAsLong();
        try {
            switch (kind) {
                case READ -> {
                    String reply = jedis.get(key);
                    long completed = clock.getAsLong();
                    long read = parse(key, reply);
                    lastSeen.put(key, read);
                    operations.add(Operation.read(id, key, read, invoked, completed));
                }
                case WRITE -> {
                    String reply = jedis.set(key, Long.toString(value));
                    long completed = clock.getAsLong();
                    Operation op = Operation.write(id, key, value, invoked, completed);
                    if ("OK".equals(reply)) {
                        lastSeen.put(key, value);
                        operations.add(op);
                    } else {
                        anomalies.add("client " + id + " SET " + key + " replied " + reply);
                        operations.add(op.asUnknown());
                    }
                }
                case CAS -> {
                    Object reply = jedis.sendCommand(CAS, key, Long.toString(expected), Long.toString(value));
                    long completed = clock.getAsLong();
                    boolean swapped = Long.valueOf(1).equals(reply);
                    Operation op = Operation.cas(id, key, expected, value, swapped, invoked, completed);
                    if (swapped || Long.valueOf(0).equals(reply)) {
                        if (swapped) {
                            lastSeen.put(key, value);
                        }
                        operations.add(op);
                    } else {
                        anomalies.add("client " + id + " CAS " + key + " replied " + reply);
                        operations.add(op.asUnknown());
                    }
                }
            }
            return true;
        } catch (JedisDataException e) {
            String message = String.valueOf(e.getMessage());
            String code = message.split(" ", 2)[0];
            errors.merge(code, 1, Integer::sum);
            Operation op = asked(kind, key, value, expected, invoked, clock.getAsLong());
            operations.add(code.equals("TRYAGAIN") ? op.asFailed() : op.asUnknown());
            return true;
        } catch (JedisException e) {
            // Timed out or the connection broke with the operation in flight: it may still take effect.
            errors.merge("connection", 1, Integer::sum);
            operations.add(asked(kind, key, value, expected, invoked, clock.getAsLong()).asUnknown());
            return false;
        }
    }

    private long parse(String key, String reply) {
        if (reply == null) {
            return 0;
        }
        try {
            return Long.parseLong(reply);
        } catch (NumberFormatException e) {
            anomalies.add("client " + id + " read " + key + " = '" + reply + "', which no client wrote");
            return -1; // written by nobody: the checker rejects it too
        }
    }

    private Operation asked(Operation.Kind kind, String key, long value, long expected, long invoked, long at) {
        return switch (kind) {
            case READ -> Operation.read(id, key, 0, invoked, at);
            case WRITE -> Operation.write(id, key, value, invoked, at);
            case CAS -> Operation.cas(id, key, expected, value, false, invoked, at);
        };
    }

    private static void pause() {
        try {
            Thread.sleep(100); // only paces reconnect attempts to a node that is down; nothing waits on it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many operations had outcome OK so far; safe to call while the client runs. */
    int okCount() {
        return ok.get();
    }

    /** How many operations certainly failed so far; safe to call while the client runs. */
    int failedCount() {
        return failed.get();
    }

    /** How many operations had an unknown outcome so far; safe to call while the client runs. */
    int unknownCount() {
        return unknown.get();
    }

    /** How many operations went through each node; read after the thread ended. */
    int[] operationsByNode() {
        return byNode.clone();
    }

    /** The operations recorded; read after the thread ended. */
    List<Operation> operations() {
        return operations;
    }

    /** Error replies and broken connections by kind (the error code, or "connection"). */
    Map<String, Integer> errors() {
        return errors;
    }

    /** Replies that make no sense for the command sent; read after the thread ended. */
    List<String> anomalies() {
        return anomalies;
    }
}
