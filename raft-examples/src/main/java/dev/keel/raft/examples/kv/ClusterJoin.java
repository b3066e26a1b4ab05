package dev.keel.raft.examples.kv;

import dev.keel.raft.NodeId;
import dev.keel.raft.examples.SuppressForbidden;
import dev.keel.raft.examples.kv.config.ConfigException;
import dev.keel.raft.examples.kv.config.HostPort;
import dev.keel.raft.examples.kv.config.NodeConfig;
import dev.keel.raft.spi.LogStorage;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.examples.kv.security.MemberAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * How a new node joins a running cluster ({@code keel-kv run --join seed,...}): it must have no data; it asks a seed
 * for the members ({@code RAFT.MEMBERS}, answered by the leader) so that its transport knows their Raft addresses and
 * accepts their connections, starts Raft in joining mode (no configuration, never campaigns), then asks the cluster to
 * add it ({@code RAFT.ADD id advertise:raftPort}: a learner first, a voter once it has caught up), retrying through the
 * seeds until the cluster says OK. A refusal that retrying cannot fix (the id is taken by a member at another address)
 * stops the node.
 */
final class ClusterJoin {
    private static final Logger log = LoggerFactory.getLogger(ClusterJoin.class);
    /** How long a joining node tries to reach a seed at start before it gives up. */
    static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(30);
    /** How long it keeps asking to be added (each attempt includes catching up) before it gives up. */
    static final Duration ADD_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(500);

    private ClusterJoin() {
    }

    /**
     * Refuses to join with a log or snapshot: such a node was a member already (restart it without {@code --join})
     * or belongs to another cluster. A saved term alone is fine: a node that crashed while joining, before any entry
     * reached it, joins again (keeping its term and vote).
     *
     * @throws ConfigException saying so
     */
    static void requireEmpty(NodeConfig config, LogStorage log, SnapshotStorage snapshots) {
        if (log.lastIndex() != 0 || snapshots.latest().isPresent()) {
            throw new ConfigException("--join", "node " + config.id() + " already has Raft state in "
                    + config.dataDir().toAbsolutePath() + " (log up to index " + log.lastIndex()
                    + snapshots.latest().map(m -> ", a snapshot at " + m.index()).orElse("") + "): --join is for the "
                    + "first start of a new member only; start it without --join to rejoin with its data, or empty "
                    + "the directory to join as a new member");
        }
    }

    /**
     * Asks the seeds for the cluster's members and their Raft addresses (this node left out).
     *
     * @throws IllegalStateException if no seed answered within {@link #DISCOVERY_TIMEOUT}, or the cluster already
     *                               has a member with this id at another address
     */
    static Map<NodeId, HostPort> discover(NodeConfig config) {
        long deadline = System.nanoTime() + DISCOVERY_TIMEOUT.toNanos();
        String last = "no answer";
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            HostPort seed = config.join().get(attempt % config.join().size());
            try {
                Object reply = RespCall.call(seed, Duration.ofSeconds(5), MemberAccess.of(config.security()), "RAFT.MEMBERS");
                if (reply instanceof RespCall.Error e) {
                    last = seed + " answered " + e.text();
                } else {
                    Map<NodeId, HostPort> members = members(reply, seed);
                    HostPort self = members.remove(config.id());
                    if (self != null && !self.equals(config.advertisedRaft())) {
                        throw new IllegalStateException("the cluster already has a member " + config.id() + " at "
                                + self + ", not at " + config.advertisedRaft() + ": remove it first (RAFT.REMOVE "
                                + config.id() + ") or give this node another id");
                    }
                    log.info("{}: joining the cluster of {} (through {})", config.id(), members.keySet(), seed);
                    return members;
                }
            } catch (IOException e) {
                last = "cannot reach the seed " + seed + ": " + e.getMessage();
            }
            log.warn("{}: cannot get the members from a seed yet: {}", config.id(), last);
            pause();
        }
        throw new IllegalStateException("cannot join through " + config.join() + " within "
                + DISCOVERY_TIMEOUT.toSeconds() + " s: " + last + " (check --join: the client addresses of members)");
    }

    /** Reads the members out of a {@code RAFT.MEMBERS} reply. */
    static Map<NodeId, HostPort> members(Object reply, HostPort seed) throws IOException {
        if (!(reply instanceof List<?> fields) || fields.indexOf("members") < 0
                || fields.indexOf("members") + 1 >= fields.size()
                || !(fields.get(fields.indexOf("members") + 1) instanceof List<?> rows)) {
            throw new IOException(seed + " gave an unexpected RAFT.MEMBERS reply: " + reply);
        }
        Map<NodeId, HostPort> members = new LinkedHashMap<>();
        for (Object row : rows) {
            if (!(row instanceof List<?> r) || r.size() < 3) {
                throw new IOException(seed + " gave an unexpected RAFT.MEMBERS row: " + row);
            }
            try {
                members.put(NodeId.of(String.valueOf(r.get(0))), HostPort.parse(String.valueOf(r.get(2))));
            } catch (IllegalArgumentException e) {
                throw new IOException(seed + " lists member " + r.get(0) + " without a usable Raft address: "
                        + e.getMessage());
            }
        }
        return members;
    }

    /**
     * Asks the seeds, one after the other, to add this node until one says OK, on a thread of its own.
     *
     * @param stopped  whether the node stopped meanwhile (then it gives up quietly)
     * @param fatal    told why, if the cluster refuses for good or {@link #ADD_TIMEOUT} passes
     * @param timeout  how long one RAFT.ADD may take (it includes the catch-up)
     */
    static Thread requestAdd(NodeConfig config, Duration timeout, BooleanSupplier stopped, Consumer<String> fatal) {
        Thread t = new Thread(() -> {
            long deadline = System.nanoTime() + ADD_TIMEOUT.toNanos();
            String raft = config.advertisedRaft().toString();
            String last = "no answer";
            for (int attempt = 0; System.nanoTime() < deadline && !stopped.getAsBoolean(); attempt++) {
                HostPort seed = config.join().get(attempt % config.join().size());
                try {
                    Object reply = RespCall.call(seed, timeout, MemberAccess.of(config.security()), "RAFT.ADD",
                            config.id().value(), raft);
                    if ("OK".equals(reply)) {
                        log.info("{}: the cluster added this node as a voter (through {})", config.id(), seed);
                        return;
                    }
                    last = seed + " answered " + (reply instanceof RespCall.Error e ? e.text() : reply);
                    if (reply instanceof RespCall.Error e && e.text().startsWith("ERR")) {
                        fatal.accept("the cluster refused to add " + config.id() + ": " + last);
                        return;
                    }
                } catch (IOException e) {
                    last = "cannot reach the seed " + seed + ": " + e.getMessage();
                }
                log.warn("{}: not added yet, retrying: {}", config.id(), last);
                pause();
            }
            if (!stopped.getAsBoolean()) {
                fatal.accept("not added to the cluster within " + ADD_TIMEOUT.toMinutes() + " min: " + last);
            }
        }, "kv-join-" + config.id());
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits {@link #RETRY_PAUSE} before the next attempt. */
    @SuppressForbidden
    private static void pause() {
        try {
            // Allowed sleep: the pause itself is the point. There is nothing to wait on until a seed answers, and
            // asking again at once would only spin against a cluster that is starting or electing.
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining", e);
        }
    }
}
