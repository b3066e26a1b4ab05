package dev.keel.raft.examples.kv.config;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.storage.StorageConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A KV node's validated configuration. Build it with {@link #from}, which checks every value and how they relate
 * (ids, addresses and ports unique across the cluster) and reports all problems at once.
 *
 * @param id                the node's id
 * @param clusterId         the cluster's name; nodes of another cluster are refused
 * @param bind              the local address both ports listen on
 * @param clientPort        the RESP port
 * @param raftPort          the Raft transport port
 * @param dataDir           where the log and snapshots live
 * @param peers             the other members (empty for a single-node cluster)
 * @param maxValueBytes     the largest key or value accepted
 * @param leaderWait        how long a request waits for a leader before {@code -TRYAGAIN no leader}
 * @param requestTimeout    how long a request may take in all
 * @param fsync             whether the log and snapshots are forced to disk before acknowledging (default true)
 * @param snapshotInterval  entries applied between automatic snapshots
 * @param logRetention      entries kept behind a snapshot for slightly slow followers
 * @param retainedSnapshots snapshots kept on disk
 * @param logSegmentBytes   the size at which a log segment file is sealed; compaction deletes whole segments
 * @param raft              Raft timing and limits
 * @param clientThreads     event loops serving clients
 * @param advertise         the host name or address other members and clients reach this node at; its Raft and
 *                          client addresses in the cluster's configuration are built from it
 * @param join              empty to start (or restart) as a member; otherwise the client addresses of members of an
 *                          existing cluster: the node starts empty and asks them to add it ({@code RAFT.ADD})
 * @param security          users, client-port TLS and Raft mutual TLS
 * @param adminPort         the HTTP admin port (Prometheus {@code /metrics}, {@code /livez}, {@code /readyz}) on
 *                          {@code bind}; 0 for none
 */
public record NodeConfig(NodeId id, String clusterId, String bind, int clientPort, int raftPort, Path dataDir,
                         List<PeerConfig> peers, int maxValueBytes, Duration leaderWait, Duration requestTimeout,
                         boolean fsync, long snapshotInterval, long logRetention, int retainedSnapshots,
                         RaftConfig raft, int clientThreads, int logSegmentBytes, String advertise,
                         List<HostPort> join, SecurityConfig security, int adminPort) {
    /** Default cluster name. */
    public static final String DEFAULT_CLUSTER_ID = "keel-kv";
    /** Default listen address: this machine only. */
    public static final String DEFAULT_BIND = "127.0.0.1";
    /** Default {@link #maxValueBytes}: 1 MiB. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
    /**
     * Largest {@link #maxValueBytes}: a CAS carries three such arguments in one log entry, which must stay well below
     * the transport's 16 MiB frame limit.
     */
    public static final int MAX_MAX_VALUE_BYTES = 4 << 20;
    private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public NodeConfig {
        peers = List.copyOf(peers);
        join = List.copyOf(join);
    }

    /** The client port's users. */
    public dev.keel.raft.examples.kv.security.Users users() {
        return security.users();
    }

    /** Whether the node joins an existing cluster rather than starting or restarting one. */
    public boolean joining() {
        return !join.isEmpty();
    }

    /** This node's Raft address as the other members reach it. */
    public HostPort advertisedRaft() {
        return new HostPort(advertise, raftPort);
    }

    /** This node's client address as the other members and clients reach it. */
    public HostPort advertisedClient() {
        return new HostPort(advertise, clientPort);
    }

    /** Every member's id, this node first. */
    public List<NodeId> memberIds() {
        List<NodeId> ids = new ArrayList<>();
        ids.add(id);
        peers.forEach(p -> ids.add(p.id()));
        return ids;
    }

    /**
     * Validates a configuration file (with any command-line overrides already applied).
     *
     * @param source names the configuration in error messages (the file's path)
     * @throws ConfigException listing every problem found
     */
    public static NodeConfig from(ConfigFile f, String source) {
        List<String> problems = new ArrayList<>();
        NodeId id = null;
        if (f.id == null) {
            problems.add("'id' is missing: name this node, e.g. id = \"n1\"");
        } else {
            id = nodeId(f.id, "id", problems);
        }
        String clusterId = f.clusterId == null ? DEFAULT_CLUSTER_ID : f.clusterId;
        if (!CLUSTER_ID.matcher(clusterId).matches()) {
            problems.add("'cluster_id' must be 1-64 characters from [A-Za-z0-9._-], was '" + clusterId + "'");
        }
        String bind = f.bind == null ? DEFAULT_BIND : f.bind.trim();
        if (bind.isEmpty()) {
            problems.add("'bind' is empty: give an address such as 127.0.0.1 or 0.0.0.0");
        }
        int clientPort = port(f.clientPort, "client_port", problems);
        int raftPort = port(f.raftPort, "raft_port", problems);
        if (clientPort > 0 && clientPort == raftPort) {
            problems.add("'client_port' and 'raft_port' are both " + clientPort + ": give each its own port");
        }
        int adminPort = adminPort(f.adminPort, clientPort, raftPort, problems);
        Path dataDir = null;
        if (f.dataDir == null || f.dataDir.isBlank()) {
            problems.add("'data_dir' is missing: where this node keeps its log and snapshots");
        } else {
            dataDir = Path.of(f.dataDir);
        }
        List<HostPort> join = join(f.join, problems);
        List<PeerConfig> peers = peers(f, id, bind, clientPort, raftPort, !join.isEmpty(), problems);
        String advertise = advertise(f.advertise, bind, problems);

        int maxValue = f.maxValueBytes == null ? DEFAULT_MAX_VALUE_BYTES : f.maxValueBytes;
        if (maxValue < 1 || maxValue > MAX_MAX_VALUE_BYTES) {
            problems.add("'max_value_bytes' must be between 1 and " + MAX_MAX_VALUE_BYTES + ", was " + maxValue);
        }
        long leaderWaitMs = f.leaderWaitMs == null ? 3000 : f.leaderWaitMs;
        if (leaderWaitMs < 10 || leaderWaitMs > 600_000) {
            problems.add("'leader_wait_ms' must be between 10 and 600000, was " + leaderWaitMs);
        }
        long requestTimeoutMs = f.requestTimeoutMs == null ? Math.max(10_000, 2 * leaderWaitMs) : f.requestTimeoutMs;
        if (requestTimeoutMs <= leaderWaitMs || requestTimeoutMs > 3_600_000) {
            problems.add("'request_timeout_ms' must exceed leader_wait_ms (" + leaderWaitMs
                    + ") and be at most 3600000, was " + requestTimeoutMs);
        }
        boolean fsync = true;
        if (f.fsync != null) {
            switch (f.fsync.toLowerCase(Locale.ROOT)) {
                case "always" -> fsync = true;
                case "never" -> fsync = false;
                default -> problems.add("'fsync' must be \"always\" or \"never\", was '" + f.fsync + "'");
            }
        }
        ConfigFile.Snapshot s = f.snapshot != null ? f.snapshot : new ConfigFile.Snapshot();
        long interval = s.interval == null ? 100_000 : s.interval;
        long retention = s.logRetention == null ? 10_000 : s.logRetention;
        int retained = s.retained == null ? 2 : s.retained;
        if (retained < 1 || retained > 1000) {
            problems.add("'snapshot.retained' must be between 1 and 1000, was " + retained);
        }
        long segmentBytes = f.log == null || f.log.segmentBytes == null
                ? StorageConfig.DEFAULT_SEGMENT_SIZE_BYTES : f.log.segmentBytes;
        if (segmentBytes < StorageConfig.MIN_SEGMENT_SIZE_BYTES || segmentBytes > StorageConfig.MAX_SEGMENT_SIZE_BYTES) {
            problems.add("'log.segment_bytes' must be between " + StorageConfig.MIN_SEGMENT_SIZE_BYTES + " (4 KiB) and "
                    + StorageConfig.MAX_SEGMENT_SIZE_BYTES + " (1 GiB), was " + segmentBytes);
        }
        RaftConfig raft = raftConfig(f.raft, interval, retention, problems);
        int clientThreads = f.clientThreads == null ? defaultClientThreads() : f.clientThreads;
        if (clientThreads < 1 || clientThreads > 64) {
            problems.add("'client_threads' must be between 1 and 64, was " + clientThreads);
        }
        SecurityConfig security = SecurityConfig.from(f, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new NodeConfig(id, clusterId, bind, clientPort, raftPort, dataDir, peers, maxValue,
                Duration.ofMillis(leaderWaitMs), Duration.ofMillis(requestTimeoutMs), fsync, interval, retention,
                retained, raft, clientThreads, (int) segmentBytes, advertise, join, security,
                Math.max(0, adminPort));
    }

    private static List<HostPort> join(List<String> seeds, List<String> problems) {
        List<HostPort> join = new ArrayList<>();
        if (seeds == null) {
            return join;
        }
        for (String seed : seeds) {
            try {
                join.add(HostPort.parse(seed));
            } catch (IllegalArgumentException e) {
                problems.add("'join': " + e.getMessage() + " (give the client address, host:port, of a member)");
            }
        }
        if (seeds.isEmpty()) {
            problems.add("'join' is empty: give the client address (host:port) of at least one member");
        }
        return join;
    }

    /** Where others reach this node: given, else the bind address unless it is a wildcard, else the host name. */
    private static String advertise(String given, String bind, List<String> problems) {
        if (given != null) {
            String a = given.trim();
            if (a.isEmpty() || a.chars().anyMatch(ch -> Character.isWhitespace(ch) || ch == '/')) {
                problems.add("'advertise' must be a host name or address, was '" + given + "'");
            } else if (isWildcard(a)) {
                problems.add("'advertise' is " + a + ", which no one can connect to: give this node's host name "
                        + "or address as the other members reach it");
            }
            return a;
        }
        if (!isWildcard(bind)) {
            return bind;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            problems.add("'bind' is " + bind + " and this machine's host name is unknown (" + e.getMessage()
                    + "): set 'advertise' to the address the other members reach this node at");
            return bind;
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("::0");
    }

    /**
     * Half the cores, 1 to 4: measured on 2 cores, one client event loop serves 50 clients faster than two (bigger
     * batches per loop turn, fewer threads competing with Raft's own).
     */
    static int defaultClientThreads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
    }

    private static List<PeerConfig> peers(ConfigFile f, NodeId self, String bind, int clientPort, int raftPort,
                                          boolean joining, List<String> problems) {
        List<PeerConfig> peers = new ArrayList<>();
        if (f.peers == null && joining) {
            return peers; // a joining node learns the members from the cluster's configuration
        }
        if (f.peers == null) {
            problems.add("'peers' is missing: add a [[peers]] table (id, raft, client) for every other member, "
                    + "or write peers = [] for a single-node cluster");
            return peers;
        }
        Set<NodeId> ids = new HashSet<>();
        if (self != null) {
            ids.add(self);
        }
        // Every address in the cluster, with who uses it, to catch two members configured on one port.
        Map<String, String> addresses = new HashMap<>();
        if (clientPort > 0) {
            addresses.put(bind + ":" + clientPort, "this node's client_port");
        }
        if (raftPort > 0) {
            addresses.put(bind + ":" + raftPort, "this node's raft_port");
        }
        for (int i = 0; i < f.peers.size(); i++) {
            ConfigFile.Peer p = f.peers.get(i);
            String where = "peers[" + i + "]";
            if (p == null) {
                problems.add(where + " is empty");
                continue;
            }
            NodeId pid = null;
            if (p.id == null) {
                problems.add(where + ".id is missing");
            } else {
                pid = nodeId(p.id, where + ".id", problems);
                if (pid != null && !ids.add(pid)) {
                    problems.add(where + ".id '" + pid + "' is used twice"
                            + (pid.equals(self) ? " (it is this node's own id; list only the other members)" : "")
                            + ": node ids must be unique");
                }
            }
            HostPort raft = address(p.raft, where + ".raft", problems);
            HostPort client = address(p.client, where + ".client", problems);
            String name = pid != null ? "peer " + pid : where;
            clash(raft, name + "'s raft address", addresses, problems);
            clash(client, name + "'s client address", addresses, problems);
            if (pid != null && raft != null && client != null) {
                peers.add(new PeerConfig(pid, raft, client));
            }
        }
        return peers;
    }

    private static void clash(HostPort a, String what, Map<String, String> used, List<String> problems) {
        if (a == null) {
            return;
        }
        String previous = used.putIfAbsent(a.host() + ":" + a.port(), what);
        if (previous != null) {
            problems.add(what + " " + a + " is also " + previous + ": every member needs its own ports");
        }
    }

    private static HostPort address(String text, String key, List<String> problems) {
        if (text == null) {
            problems.add("'" + key + "' is missing: give it as \"host:port\"");
            return null;
        }
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add("'" + key + "': " + e.getMessage());
            return null;
        }
    }

    private static NodeId nodeId(String text, String key, List<String> problems) {
        try {
            return NodeId.of(text);
        } catch (IllegalArgumentException e) {
            problems.add("'" + key + "': " + e.getMessage());
            return null;
        }
    }

    /** {@code admin_port}: 0 (none) unless set; a port of its own. */
    private static int adminPort(Integer value, int clientPort, int raftPort, List<String> problems) {
        if (value == null) {
            return 0;
        }
        int adminPort = port(value, "admin_port", problems);
        if (adminPort > 0 && (adminPort == clientPort || adminPort == raftPort)) {
            problems.add("'admin_port' " + adminPort + " is also the " + (adminPort == clientPort ? "client_port"
                    : "raft_port") + ": give the admin endpoints their own port");
        }
        return adminPort;
    }

    private static int port(Integer value, String key, List<String> problems) {
        if (value == null) {
            problems.add("'" + key + "' is missing");
            return -1;
        }
        if (value < 1 || value > 65535) {
            problems.add("'" + key + "' must be between 1 and 65535, was " + value);
            return -1;
        }
        return value;
    }

    private static RaftConfig raftConfig(ConfigFile.Raft r, long interval, long retention, List<String> problems) {
        RaftConfig.Builder b = RaftConfig.builder();
        try {
            b.snapshotInterval(interval);
        } catch (IllegalArgumentException e) {
            problems.add("'snapshot.interval': " + e.getMessage());
        }
        try {
            b.logRetention(retention);
        } catch (IllegalArgumentException e) {
            problems.add("'snapshot.log_retention': " + e.getMessage());
        }
        if (r != null) {
            try {
                if (r.heartbeatMs != null) {
                    b.heartbeatInterval(Duration.ofMillis(r.heartbeatMs));
                }
                if (r.electionTimeoutMinMs != null || r.electionTimeoutMaxMs != null) {
                    long min = r.electionTimeoutMinMs != null ? r.electionTimeoutMinMs : 1000;
                    long max = r.electionTimeoutMaxMs != null ? r.electionTimeoutMaxMs : 2 * min;
                    b.electionTimeout(Duration.ofMillis(min), Duration.ofMillis(max));
                }
            } catch (IllegalArgumentException e) {
                problems.add("[raft]: " + e.getMessage());
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            problems.add("[raft]: " + e.getMessage());
            return null;
        }
    }
}
