package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.NodeId;
import dev.keel.raft.ServerStatus;

import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The text of the INFO command, in Redis's format ({@code # Section} headers, {@code field:value} lines, CRLF):
 * {@code server}, {@code clients}, {@code raft} and {@code keyspace}.
 *
 * <p>Thread-safe: every value is read when the report is rendered.
 */
public final class InfoReport {
    private final Supplier<ServerStatus> status;
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
     */
    public InfoReport(Supplier<ServerStatus> status, IntSupplier keys, IntSupplier clients, int clientPort,
                      int raftPort) {
        this.status = status;
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
                    .append("keel_kv_version:").append(version()).append("\r\n")
                    .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                    .append("tcp_port:").append(clientPort).append("\r\n")
                    .append("raft_port:").append(raftPort).append("\r\n")
                    .append("uptime_in_seconds:").append((System.currentTimeMillis() - startMillis) / 1000)
                    .append("\r\n\r\n");
        }
        if (all || s.equals("clients")) {
            sb.append("# Clients\r\nconnected_clients:").append(clients.getAsInt()).append("\r\n\r\n");
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
                    .append("\r\n\r\n");
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

    private static String version() {
        String v = InfoReport.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
