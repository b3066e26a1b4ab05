package dev.keel.raft.examples.kv.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the nodes of a local cluster live: {@code DATA/n1 .. DATA/nN}, each with its {@code node.toml}, its log
 * output ({@code node.log}) and its data. The first run writes the configurations; later runs reuse them as they are,
 * so a cluster restarts with its ports and its data.
 *
 * @param dataDir  the cluster's folder (absolute)
 * @param nodes    the nodes, in order
 * @param reused   whether the configurations were found rather than written
 */
public record ClusterLayout(Path dataDir, List<Node> nodes, boolean reused) {
    private static final Pattern NODE_DIR = Pattern.compile("n(\\d+)");
    private static final Pattern PORT = Pattern.compile("(?m)^(client_port|raft_port|admin_port)\\s*=\\s*(\\d+)");

    /**
     * One node of the layout.
     *
     * @param id         its id ({@code n1}, ...)
     * @param dir        its folder
     * @param clientPort its RESP port
     * @param raftPort   its Raft port
     * @param adminPort  its HTTP admin port (/metrics, /livez, /readyz), 0 if it has none
     */
    public record Node(String id, Path dir, int clientPort, int raftPort, int adminPort) {
        public Path config() {
            return dir.resolve("node.toml");
        }

        public Path logFile() {
            return dir.resolve("node.log");
        }
    }

    /**
     * Finds the cluster in {@code dataDir} or creates its configurations.
     *
     * @throws IllegalArgumentException if the folder already holds a cluster of another size
     */
    public static ClusterLayout prepare(Path dataDir, int count, String bind, int clientBasePort, int raftBasePort) {
        return prepare(dataDir, count, bind, clientBasePort, raftBasePort, 0);
    }

    /**
     * As {@link #prepare(Path, int, String, int, int)}, giving new nodes admin ports from {@code adminBasePort} on
     * (0: none).
     */
    public static ClusterLayout prepare(Path dataDir, int count, String bind, int clientBasePort, int raftBasePort,
                                        int adminBasePort) {
        Path dir = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            List<Integer> existing = existingNodes(dir);
            if (!existing.isEmpty()) {
                if (existing.size() != count || existing.get(existing.size() - 1) != count) {
                    throw new IllegalArgumentException(dir + " holds a cluster of " + existing.size()
                            + " nodes; run with --nodes " + existing.size() + ", or give another --data folder");
                }
                List<Node> nodes = new ArrayList<>();
                for (int i = 1; i <= count; i++) {
                    nodes.add(read(dir, i));
                }
                return new ClusterLayout(dir, nodes, true);
            }
            List<Node> nodes = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                nodes.add(new Node("n" + i, dir.resolve("n" + i), clientBasePort + i - 1, raftBasePort + i - 1,
                        adminBasePort == 0 ? 0 : adminBasePort + i - 1));
            }
            for (Node n : nodes) {
                Files.createDirectories(n.dir());
                Files.writeString(n.config(), toml(n, nodes, bind));
            }
            return new ClusterLayout(dir, nodes, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<Integer> existingNodes(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("node.toml")))
                    .map(p -> NODE_DIR.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1)))
                    .sorted()
                    .toList();
        }
    }

    private static Node read(Path dir, int i) throws IOException {
        Path nodeDir = dir.resolve("n" + i);
        String text = Files.readString(nodeDir.resolve("node.toml"));
        int client = -1;
        int raft = -1;
        int admin = 0;
        Matcher m = PORT.matcher(text);
        while (m.find()) {
            switch (m.group(1)) {
                case "client_port" -> client = Integer.parseInt(m.group(2));
                case "raft_port" -> raft = Integer.parseInt(m.group(2));
                default -> admin = Integer.parseInt(m.group(2));
            }
        }
        if (client < 0 || raft < 0) {
            throw new IllegalArgumentException(nodeDir.resolve("node.toml") + " has no client_port or raft_port");
        }
        return new Node("n" + i, nodeDir, client, raft, admin);
    }

    static String toml(Node self, List<Node> all, String bind) {
        StringBuilder sb = new StringBuilder()
                .append("# Written by keel-kv cluster; edit freely, it is reused as is on the next run.\n")
                .append("id = \"").append(self.id()).append("\"\n")
                .append("bind = \"").append(bind).append("\"\n")
                .append("client_port = ").append(self.clientPort()).append('\n')
                .append("raft_port = ").append(self.raftPort()).append('\n')
                .append(self.adminPort() == 0 ? "" : "admin_port = " + self.adminPort()
                        + "                # http://HOST:PORT/metrics, /livez, /readyz\n")
                .append("data_dir = \"").append(self.dir().resolve("data").toString().replace("\\", "\\\\"))
                .append("\"\n");
        if (all.size() == 1) {
            sb.append("peers = []\n");
        }
        for (Node n : all) {
            if (n != self) {
                sb.append("\n[[peers]]\n")
                        .append("id = \"").append(n.id()).append("\"\n")
                        .append("raft = \"").append(bind).append(':').append(n.raftPort()).append("\"\n")
                        .append("client = \"").append(bind).append(':').append(n.clientPort()).append("\"\n");
            }
        }
        return sb.toString();
    }
}
