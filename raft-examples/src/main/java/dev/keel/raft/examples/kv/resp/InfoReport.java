package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.NodeId;
import dev.keel.raft.ServerStatus;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The text of the INFO command, in Redis's format ({@code # Section} headers, {@code field:value} lines, CRLF): the
 * sections Redis tools read ({@code server} with {@code redis_version}, {@code clients}, {@code memory},
 * {@code persistence}, {@code stats}, {@code replication}, {@code cpu}, {@code keyspace}) and Keel's {@code raft}.
 *
 * <p>Thread-safe: every value is read when the report is rendered.
 */
public final class InfoReport {
    /**
     * In report order. {@code raft} comes before {@code replication}: both have a {@code role} field, and clients that
     * read the whole report into one map then keep Redis's {@code role:master} (every node takes writes).
     */
    private static final List<String> ALL = List.of("server", "clients", "memory", "persistence", "stats", "raft",
            "replication", "cpu", "keyspace");

    private final Supplier<ServerStatus> status;
    private final IntSupplier keys;
    private final IntSupplier expiringKeys;
    private final ClientRegistry clients;
    private final int clientPort;
    private final int raftPort;
    private final long startMillis = System.currentTimeMillis();
    private final String runId = java.util.HexFormat.of().formatHex(
            java.nio.ByteBuffer.allocate(20).putLong(System.nanoTime()).putLong(ProcessHandle.current().pid()).array());

    /**
     * @param status     the node's Raft status
     * @param keys       the number of keys in the state machine
     * @param expiringKeys the number of keys with an expiry time
     * @param clients    the open client connections and their counters
     * @param clientPort the RESP port
     * @param raftPort   the Raft transport port
     */
    public InfoReport(Supplier<ServerStatus> status, IntSupplier keys, IntSupplier expiringKeys,
                      ClientRegistry clients, int clientPort, int raftPort) {
        this.status = status;
        this.keys = keys;
        this.expiringKeys = expiringKeys;
        this.clients = clients;
        this.clientPort = clientPort;
        this.raftPort = raftPort;
    }

    /** The report for one section ({@code default}, {@code all}, or a section's name; case-insensitive). */
    public String render(String section) {
        return render(List.of(section));
    }

    /** The report for these sections (none: the default ones, which here are all). */
    public String render(List<String> sections) {
        Set<String> wanted = sections.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        boolean all = wanted.isEmpty() || wanted.contains("default") || wanted.contains("all")
                || wanted.contains("everything");
        StringBuilder sb = new StringBuilder();
        for (String s : ALL) {
            if (all || wanted.contains(s)) {
                section(sb, s);
                sb.append("\r\n");
            }
        }
        // Redis ends the report without the blank line after the last section.
        int len = sb.length();
        if (len >= 4 && sb.substring(len - 4).equals("\r\n\r\n")) {
            sb.setLength(len - 2);
        }
        return sb.toString();
    }

    private void section(StringBuilder sb, String name) {
        switch (name) {
            case "server" -> {
                long uptime = (System.currentTimeMillis() - startMillis) / 1000;
                sb.append("# Server\r\n");
                line(sb, "redis_version", ServerCommands.REDIS_VERSION);
                line(sb, "redis_mode", "standalone");
                line(sb, "keel_kv_version", version());
                line(sb, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"));
                line(sb, "arch_bits", System.getProperty("os.arch").contains("64") ? "64" : "32");
                line(sb, "process_id", ProcessHandle.current().pid());
                line(sb, "run_id", runId);
                line(sb, "tcp_port", clientPort);
                line(sb, "raft_port", raftPort);
                line(sb, "uptime_in_seconds", uptime);
                line(sb, "uptime_in_days", uptime / 86400);
            }
            case "clients" -> {
                sb.append("# Clients\r\n");
                line(sb, "connected_clients", clients.connected());
                line(sb, "blocked_clients", 0);
            }
            case "memory" -> {
                Runtime rt = Runtime.getRuntime();
                sb.append("# Memory\r\n");
                line(sb, "used_memory", rt.totalMemory() - rt.freeMemory());
                line(sb, "maxmemory", 0);
                line(sb, "maxmemory_policy", "noeviction");
                line(sb, "jvm_max_heap", rt.maxMemory());
            }
            case "persistence" -> {
                // Every write is in the Raft log, on disk on a majority, before it is acknowledged.
                sb.append("# Persistence\r\n");
                line(sb, "loading", 0);
                line(sb, "rdb_bgsave_in_progress", 0);
                line(sb, "aof_enabled", 0);
                line(sb, "raft_snapshot_index", status.get().snapshotIndex());
            }
            case "stats" -> {
                sb.append("# Stats\r\n");
                line(sb, "total_connections_received", clients.totalConnections());
                line(sb, "total_commands_processed", clients.commandsProcessed());
            }
            case "replication" -> {
                // Every node accepts reads and writes (a follower forwards writes), so each is a master to clients.
                sb.append("# Replication\r\n");
                line(sb, "role", "master");
                line(sb, "connected_slaves", 0);
            }
            case "cpu" -> {
                sb.append("# CPU\r\n");
                java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
                long cpuNanos = os instanceof com.sun.management.OperatingSystemMXBean sun
                        ? sun.getProcessCpuTime() : -1;
                line(sb, "used_cpu_process", cpuNanos < 0 ? "0" : String.format(Locale.ROOT, "%.6f", cpuNanos / 1e9));
            }
            case "raft" -> raft(sb);
            case "keyspace" -> {
                sb.append("# Keyspace\r\n");
                int n = keys.getAsInt();
                if (n > 0) {
                    sb.append("db0:keys=").append(n).append(",expires=").append(expiringKeys.getAsInt())
                            .append(",avg_ttl=0\r\n");
                }
            }
            default -> throw new AssertionError(name);
        }
    }

    private void raft(StringBuilder sb) {
        ServerStatus st = status.get();
        sb.append("# Raft\r\n");
        line(sb, "node_id", st.id());
        line(sb, "role", st.role().name().toLowerCase(Locale.ROOT));
        line(sb, "term", st.term());
        line(sb, "leader", st.leaderId().map(NodeId::value).orElse(""));
        line(sb, "commit_index", st.commitIndex());
        line(sb, "applied_index", st.appliedIndex());
        line(sb, "first_log_index", st.firstLogIndex());
        line(sb, "last_log_index", st.lastLogIndex());
        line(sb, "snapshot_index", st.snapshotIndex());
        line(sb, "members", st.voters().stream().map(NodeId::value).sorted().collect(Collectors.joining(",")));
        if (!st.learners().isEmpty()) {
            line(sb, "learners", st.learners().stream().map(NodeId::value).sorted()
                    .collect(Collectors.joining(",")));
        }
        line(sb, "membership_change_in_progress", st.membershipChangeInProgress() ? 1 : 0);
    }

    private static void line(StringBuilder sb, String field, Object value) {
        sb.append(field).append(':').append(value).append("\r\n");
    }

    private static String version() {
        String v = InfoReport.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
