package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.NodeId;
import dev.keel.raft.ServerStatus;

import dev.keel.raft.examples.kv.admin.KvMetrics;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The text of the INFO command, in Redis's format ({@code # Section} headers, {@code field:value} lines, CRLF):
 * {@code server} (with the {@code redis_version} Redis tools check), {@code clients}, {@code stats} (commands,
 * ops/s, error replies), {@code raft}, {@code replication} (each follower's lag, on the leader) and {@code keyspace}.
 *
 * <p>Thread-safe: every value is read when the report is rendered.
 */
public final class InfoReport {
    /** The Redis version whose behaviour the node follows, as INFO reports it (clients and tools read it). */
    public static final String REDIS_VERSION = "7.0.0";

    private final Supplier<ServerStatus> status;
    private final KvMetrics metrics;
    private final Function<NodeId, String> clientAddress;
    private final int adminPort;
    private final IntSupplier keys;
    private final IntSupplier clients;
    private final int clientPort;
    private final int raftPort;
    private final long startMillis = System.currentTimeMillis();

    /**
     * @param status     the node's Raft status
     * @param keys       the number of keys in the state machine
     * @param clients    the number of open client connections
     * @param clientPort the RESP port
     * @param raftPort   the Raft transport port
     * @param metrics    the node's request counts and latencies
     * @param clientAddress where a member serves clients ({@code host:port}, or empty if unknown)
     * @param adminPort  the HTTP admin port, 0 if none
     */
    public InfoReport(Supplier<ServerStatus> status, IntSupplier keys, IntSupplier clients, int clientPort,
                      int raftPort, KvMetrics metrics, Function<NodeId, String> clientAddress, int adminPort) {
        this.status = status;
        this.metrics = metrics;
        this.clientAddress = clientAddress;
        this.adminPort = adminPort;
        this.keys = keys;
        this.clients = clients;
        this.clientPort = clientPort;
        this.raftPort = raftPort;
    }

    /** The report for {@code section} ({@code default}, {@code all}, or one section's name; case-insensitive). */
    public String render(String section) {
        String s = section.toLowerCase(Locale.ROOT);
        boolean all = s.equals("default") || s.equals("all") || s.equals("everything");
        StringBuilder sb = new StringBuilder();
        if (all || s.equals("server")) {
            sb.append("# Server\r\n")
                    .append("redis_version:").append(REDIS_VERSION).append("\r\n")
                    .append("redis_mode:standalone\r\n")
                    .append("keel_kv_version:").append(version()).append("\r\n")
                    .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                    .append("tcp_port:").append(clientPort).append("\r\n")
                    .append("raft_port:").append(raftPort).append("\r\n")
                    .append("admin_port:").append(adminPort).append("\r\n")
                    .append("uptime_in_seconds:").append((System.currentTimeMillis() - startMillis) / 1000)
                    .append("\r\n\r\n");
        }
        if (all || s.equals("clients")) {
            sb.append("# Clients\r\nconnected_clients:").append(clients.getAsInt()).append("\r\n\r\n");
        }
        if (all || s.equals("stats")) {
            stats(sb);
        }
        if (all || s.equals("raft")) {
            ServerStatus st = status.get();
            sb.append("# Raft\r\n")
                    .append("node_id:").append(st.id()).append("\r\n")
                    .append("role:").append(st.role().name().toLowerCase(Locale.ROOT)).append("\r\n")
                    .append("term:").append(st.term()).append("\r\n")
                    .append("leader:").append(st.leaderId().map(NodeId::value).orElse("")).append("\r\n")
                    .append("commit_index:").append(st.commitIndex()).append("\r\n")
                    .append("applied_index:").append(st.appliedIndex()).append("\r\n")
                    .append("first_log_index:").append(st.firstLogIndex()).append("\r\n")
                    .append("last_log_index:").append(st.lastLogIndex()).append("\r\n")
                    .append("snapshot_index:").append(st.snapshotIndex()).append("\r\n")
                    .append("members:").append(st.voters().stream().map(NodeId::value).sorted()
                            .collect(Collectors.joining(","))).append("\r\n");
            if (!st.learners().isEmpty()) {
                sb.append("learners:").append(st.learners().stream().map(NodeId::value).sorted()
                        .collect(Collectors.joining(","))).append("\r\n");
            }
            sb.append("membership_change_in_progress:").append(st.membershipChangeInProgress() ? 1 : 0)
                    .append("\r\n");
            sb.append("fsync_p99_ms:").append(millis(metrics.fsyncP99Millis())).append("\r\n");
            sb.append("commit_p99_ms:").append(millis(metrics.commitP99Millis())).append("\r\n\r\n");
        }
        if (all || s.equals("replication")) {
            replication(sb, status.get());
        }
        if (all || s.equals("keyspace")) {
            sb.append("# Keyspace\r\n");
            int n = keys.getAsInt();
            if (n > 0) {
                sb.append("db0:keys=").append(n).append(",expires=0,avg_ttl=0\r\n");
            }
            sb.append("\r\n");
        }
        // Redis ends the report without the blank line after the last section.
        int len = sb.length();
        if (len >= 4 && sb.substring(len - 4).equals("\r\n\r\n")) {
            sb.setLength(len - 2);
        }
        return sb.toString();
    }

    private void stats(StringBuilder sb) {
        RequestStats r = metrics.requests();
        sb.append("# Stats\r\n")
                .append("total_commands_processed:").append(r.commands()).append("\r\n")
                .append("instantaneous_ops_per_sec:").append(Math.round(r.opsPerSecond())).append("\r\n")
                .append("total_error_replies:").append(r.errors()).append("\r\n")
                .append("tryagain_replies:").append(r.tryAgain()).append("\r\n")
                .append("indeterminate_replies:").append(r.indeterminate()).append("\r\n\r\n");
    }

    /**
     * Redis's fields say what Redis tools expect of a node that takes writes ({@code role:master}, no replicas);
     * Keel's say how far each follower's log is from the leader's ({@code lag}: entries it is not known to hold),
     * on the leader.
     */
    private void replication(StringBuilder sb, ServerStatus st) {
        sb.append("# Replication\r\n")
                .append("role:master\r\n")
                .append("connected_slaves:0\r\n")
                .append("raft_role:").append(st.role().name().toLowerCase(Locale.ROOT)).append("\r\n")
                .append("raft_followers:").append(st.matchIndex().size()).append("\r\n");
        int i = 0;
        for (Map.Entry<NodeId, Long> e : new TreeMap<>(st.matchIndex()).entrySet()) {
            long match = e.getValue();
            sb.append("raft_follower").append(i++).append(":id=").append(e.getKey().value())
                    .append(",addr=").append(clientAddress.apply(e.getKey()))
                    .append(",match_index=").append(match)
                    .append(",lag=").append(Math.max(0, st.lastLogIndex() - match))
                    .append(",learner=").append(st.learners().contains(e.getKey()) ? 1 : 0).append("\r\n");
        }
        sb.append("\r\n");
    }

    /** Milliseconds with two decimals, or empty when nothing was measured. */
    private static String millis(double ms) {
        return Double.isNaN(ms) ? "" : String.format(Locale.ROOT, "%.2f", ms);
    }

    private static String version() {
        String v = InfoReport.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
