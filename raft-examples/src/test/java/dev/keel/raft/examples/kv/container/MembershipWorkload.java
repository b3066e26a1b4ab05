package dev.keel.raft.examples.kv.container;

import dev.keel.raft.testing.linearizability.History;
import dev.keel.raft.testing.linearizability.Operation;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Clients reading and writing a few registers (keys holding numbers) through the nodes currently serving, each
 * recording every operation with its invocation and completion times for the linearizability checker, and the
 * longest time it went without a successful operation.
 *
 * <p>Outcomes: a reply is OK; {@code -TRYAGAIN} is FAIL (the node promises nothing was applied); everything else
 * ({@code -INDETERMINATE}, a timeout, a broken connection) is UNKNOWN. A client moves to the next serving node after
 * any failure, so it follows the membership changes. Each client runs on its own thread until {@link #close()},
 * bounded by {@code maxOpsPerClient}.
 */
final class MembershipWorkload implements AutoCloseable {
    private final ContainerCluster cluster;
    private final List<Integer> serving;
    private final int keys;
    private final int maxOpsPerClient;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Client> clients = new ArrayList<>();
    private final List<Operation> operations = new CopyOnWriteArrayList<>();
    private static final String WARM_UP = "warm-up";
    private volatile String phase = WARM_UP;

    /**
     * @param serving the indexes of the nodes clients may use; the test changes it as nodes come and go
     * @param seed    decides each client's operations (printed by the test for a replay of the same choices)
     */
    MembershipWorkload(ContainerCluster cluster, List<Integer> serving, int clients, int keys, int maxOpsPerClient,
                       long seed) {
        this.cluster = cluster;
        this.serving = serving;
        this.keys = keys;
        this.maxOpsPerClient = maxOpsPerClient;
        for (int c = 0; c < clients; c++) {
            this.clients.add(new Client(c, new SplittableRandom(seed + c)));
        }
        this.clients.forEach(c -> c.thread.start());
    }

    /** Names what the test is doing now, for the gap report. */
    void phase(String name) {
        phase = name;
    }

    /** Successful operations so far, over all clients. */
    int successes() {
        return clients.stream().mapToInt(c -> c.successes).sum();
    }

    /**
     * The longest time, in ms, any client went without a successful operation, among the gaps that ended after the
     * first {@link #phase} was named: the warm-up before it (JIT, containers still settling) is not measured.
     */
    long longestGapMillis() {
        return clients.stream().mapToLong(c -> c.longestMeasuredGapNanos).max().orElse(0) / 1_000_000;
    }

    /** Per client: its longest gap and what failed during it. */
    String gapReport() {
        StringBuilder sb = new StringBuilder();
        for (Client c : clients) {
            sb.append("client ").append(c.id).append(": ").append(c.successes).append(" ok, slowest ")
                    .append(c.slowestNanos / 1_000_000).append(" ms, longest gap ")
                    .append(c.longestGapNanos / 1_000_000).append(" ms, during ").append(c.gapPhase)
                    .append(c.gapErrors.isEmpty() ? "" : " (failures in it: " + c.gapErrors + ")").append('\n');
        }
        return sb.toString();
    }

    /** Every operation issued, those still in flight at {@link #close()} as UNKNOWN. */
    History history() {
        return History.of(operations);
    }

    @Override
    public void close() {
        running.set(false);
        for (Client c : clients) {
            try {
                c.thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Client {
        final int id;
        final SplittableRandom random;
        final Thread thread;
        int successes;
        long lastSuccess;
        long longestGapNanos;
        long longestMeasuredGapNanos;
        long slowestNanos;
        String gapPhase = "";
        List<String> errorsSinceSuccess = new ArrayList<>();
        List<String> gapErrors = List.of();

        Client(int id, SplittableRandom random) {
            this.id = id;
            this.random = random;
            this.thread = new Thread(this::run, "membership-client-" + id);
            thread.setDaemon(true);
        }

        private void run() {
            Jedis jedis = null;
            int node = id;
            int current = -1;
            lastSuccess = System.nanoTime();
            for (int n = 0; n < maxOpsPerClient && running.get(); n++) {
                String key = "reg:" + random.nextInt(keys);
                boolean write = random.nextBoolean();
                long value = (long) id * 1_000_000_000L + n + 1; // unique per write
                long invoked = System.nanoTime();
                try {
                    if (jedis != null && !serving.contains(current)) {
                        jedis.close(); // the node is leaving the cluster: move on, as a load balancer would
                        jedis = null;
                    }
                    if (jedis == null) {
                        List<Integer> nodes = List.copyOf(serving);
                        current = nodes.get(Math.floorMod(node, nodes.size()));
                        jedis = cluster.client(current, 5000);
                    }
                    if (write) {
                        String reply = jedis.set(key, Long.toString(value));
                        record(invoked, "OK".equals(reply)
                                ? Operation.write(id, key, value, invoked, System.nanoTime())
                                : Operation.write(id, key, value, invoked, System.nanoTime()).asUnknown(), reply);
                    } else {
                        String reply = jedis.get(key);
                        record(invoked, Operation.read(id, key, reply == null ? 0 : Long.parseLong(reply), invoked,
                                System.nanoTime()), null);
                    }
                } catch (JedisDataException e) {
                    Operation op = write ? Operation.write(id, key, value, invoked, System.nanoTime())
                            : Operation.read(id, key, 0, invoked, System.nanoTime());
                    boolean refused = e.getMessage() != null && e.getMessage().startsWith("TRYAGAIN");
                    record(invoked, refused ? op.asFailed() : op.asUnknown(), e.getMessage());
                } catch (RuntimeException e) {
                    // No reply: the connection broke or timed out with the operation in flight.
                    Operation op = write ? Operation.write(id, key, value, invoked, System.nanoTime())
                            : Operation.read(id, key, 0, invoked, System.nanoTime());
                    record(invoked, op.asUnknown(), e.getClass().getSimpleName() + ": " + e.getMessage());
                    if (jedis != null) {
                        jedis.close();
                        jedis = null;
                    }
                    node++;
                }
            }
            if (jedis != null) {
                jedis.close();
            }
            gap(System.nanoTime());
        }

        private void record(long invoked, Operation op, String error) {
            operations.add(op);
            if (op.isOk()) {
                successes++;
                slowestNanos = Math.max(slowestNanos, op.completedAt().getAsLong() - invoked);
                gap(op.completedAt().getAsLong());
                lastSuccess = op.completedAt().getAsLong();
                errorsSinceSuccess = new ArrayList<>();
            } else if (errorsSinceSuccess.size() < 5) {
                errorsSinceSuccess.add(error);
            }
        }

        private void gap(long now) {
            if (!WARM_UP.equals(phase)) {
                longestMeasuredGapNanos = Math.max(longestMeasuredGapNanos, now - lastSuccess);
            }
            if (now - lastSuccess > longestGapNanos) {
                longestGapNanos = now - lastSuccess;
                gapPhase = phase;
                gapErrors = java.util.Collections.unmodifiableList(new ArrayList<>(errorsSinceSuccess));
            }
        }
    }
}
