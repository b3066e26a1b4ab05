package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.kv.KvNode;
import dev.keel.raft.examples.kv.NodeStorage;
import dev.keel.raft.examples.kv.config.ConfigException;
import dev.keel.raft.examples.kv.config.ConfigFile;
import dev.keel.raft.examples.kv.config.ConfigLoader;
import dev.keel.raft.examples.kv.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel-kv run}: starts one node and serves until stopped (SIGTERM or Ctrl-C close it cleanly). Exit status 2
 * for a bad configuration, 1 if the node cannot start or stops on a fatal error.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs one KV node. Settings come from --config and are overridden by the flags given.")
public final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "node.toml")
    Path config;
    @Option(names = "--id", description = "this node's id") String id;
    @Option(names = "--cluster-id", description = "the cluster's name (default keel-kv)") String clusterId;
    @Option(names = "--bind", description = "local address to listen on (default 127.0.0.1)") String bind;
    @Option(names = "--advertise", paramLabel = "HOST",
            description = "host the other members and clients reach this node at (default: --bind, or the host name "
                    + "when bound to 0.0.0.0)")
    String advertise;
    @Option(names = "--join", paramLabel = "HOST:PORT", split = ",",
            description = "join an existing cluster through these members' client ports: the node must have no data; "
                    + "it starts empty and asks the leader to add it (RAFT.ADD), as a voter once it has caught up")
    List<String> join;
    @Option(names = "--client-port", description = "RESP port") Integer clientPort;
    @Option(names = "--raft-port", description = "Raft transport port") Integer raftPort;
    @Option(names = "--admin-port", description = "HTTP admin port: /metrics (Prometheus), /livez, /readyz")
    Integer adminPort;
    @Option(names = "--data-dir", description = "log and snapshot directory") String dataDir;
    @Option(names = "--peer", paramLabel = "ID=RAFT_HOST:PORT,CLIENT_HOST:PORT",
            description = "another member; repeat for each; replaces the file's peers")
    List<String> peers;
    @Option(names = "--max-value-bytes", description = "largest key or value (default 1048576)") Integer maxValueBytes;
    @Option(names = "--leader-wait-ms", description = "wait for a leader before -TRYAGAIN (default 3000)")
    Long leaderWaitMs;
    @Option(names = "--fsync", description = "always (default) or never") String fsync;
    @Option(names = "--client-threads", description = "event loops serving clients (default: half the cores, 1-4)")
    Integer clientThreads;
    @Option(names = "--snapshot-interval", description = "entries between snapshots (default 100000)")
    Long snapshotInterval;

    @Override
    public Integer call() {
        NodeConfig nodeConfig;
        try {
            nodeConfig = NodeConfig.from(fileWithOverrides(), source());
        } catch (ConfigException e) {
            System.err.println("keel-kv: bad configuration: " + e.getMessage());
            return 2;
        }
        KvNode node;
        try {
            node = NodeStorage.startNode(nodeConfig);
        } catch (ConfigException e) {
            System.err.println("keel-kv: bad configuration: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("keel-kv: node " + nodeConfig.id() + " cannot start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "keel-kv-shutdown"));
        try {
            // The node stops by itself only on a fatal error (fail-stop); then the process must end too.
            while (!stopped.await(500, TimeUnit.MILLISECONDS)) {
                if (node.raft().isClosed()) {
                    log.error("node {} stopped: {}", nodeConfig.id(),
                            node.raft().failure().map(Throwable::toString).orElse("closed"));
                    node.close();
                    return 1;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private String source() {
        return config != null ? config.toString() : "command line";
    }

    private ConfigFile fileWithOverrides() {
        ConfigFile f = config != null ? ConfigLoader.read(config) : new ConfigFile();
        if (id != null) {
            f.id = id;
        }
        if (clusterId != null) {
            f.clusterId = clusterId;
        }
        if (bind != null) {
            f.bind = bind;
        }
        if (advertise != null) {
            f.advertise = advertise;
        }
        if (join != null) {
            f.join = join;
        }
        if (clientPort != null) {
            f.clientPort = clientPort;
        }
        if (raftPort != null) {
            f.raftPort = raftPort;
        }
        if (adminPort != null) {
            f.adminPort = adminPort;
        }
        if (dataDir != null) {
            f.dataDir = dataDir;
        }
        if (maxValueBytes != null) {
            f.maxValueBytes = maxValueBytes;
        }
        if (leaderWaitMs != null) {
            f.leaderWaitMs = leaderWaitMs;
        }
        if (fsync != null) {
            f.fsync = fsync;
        }
        if (clientThreads != null) {
            f.clientThreads = clientThreads;
        }
        if (snapshotInterval != null) {
            if (f.snapshot == null) {
                f.snapshot = new ConfigFile.Snapshot();
            }
            f.snapshot.interval = snapshotInterval;
        }
        if (peers != null) {
            f.peers = new ArrayList<>();
            for (String p : peers) {
                f.peers.add(parsePeer(p));
            }
        }
        return f;
    }

    /** {@code n2=10.0.0.2:7001,10.0.0.2:6379}. */
    static ConfigFile.Peer parsePeer(String text) {
        int eq = text.indexOf('=');
        int comma = text.indexOf(',', eq + 1);
        if (eq <= 0 || comma < 0) {
            throw new ConfigException("--peer", "'" + text + "' is not ID=RAFT_HOST:PORT,CLIENT_HOST:PORT");
        }
        ConfigFile.Peer p = new ConfigFile.Peer();
        p.id = text.substring(0, eq).trim();
        p.raft = text.substring(eq + 1, comma).trim();
        p.client = text.substring(comma + 1).trim();
        return p;
    }
}
