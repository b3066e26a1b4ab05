package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.kv.cluster.ClusterLayout;
import dev.keel.raft.examples.kv.cluster.LocalCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code keel-kv cluster}: a local cluster on one machine, one process per node, for trying Keel out. Ctrl-C stops
 * every node cleanly. While it runs, commands typed here kill, stop and start nodes.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts a local KV cluster: one process per node on this machine; Ctrl-C stops them all.")
public final class ClusterCommand implements Callable<Integer> {
    @Option(names = "--nodes", description = "number of nodes (default ${DEFAULT-VALUE})", defaultValue = "3")
    int nodes;
    @Option(names = "--data", description = "folder for the nodes' configuration, logs and data; reused when it "
            + "exists (default ${DEFAULT-VALUE})", defaultValue = "keel-data")
    Path data;
    @Option(names = "--client-port", description = "first client (RESP) port (default ${DEFAULT-VALUE})",
            defaultValue = "6401")
    int clientBasePort;
    @Option(names = "--raft-port", description = "first Raft port (default ${DEFAULT-VALUE})", defaultValue = "7401")
    int raftBasePort;
    @Option(names = "--admin-port", description = "first HTTP admin port (/metrics, /livez, /readyz; 0 for none; "
            + "default ${DEFAULT-VALUE})", defaultValue = "9401")
    int adminBasePort;
    @Option(names = "--bind", description = "address to listen on (default ${DEFAULT-VALUE})",
            defaultValue = "127.0.0.1")
    String bind;

    @Override
    public Integer call() {
        if (nodes < 1 || nodes > 99) {
            System.err.println("keel-kv cluster: --nodes must be between 1 and 99, was " + nodes);
            return 2;
        }
        ClusterLayout layout;
        try {
            layout = ClusterLayout.prepare(data, nodes, bind, clientBasePort, raftBasePort, adminBasePort);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("keel-kv cluster: " + e.getMessage());
            return 2;
        }
        LocalCluster cluster = new LocalCluster(layout, bind, System.out);
        String busy = cluster.busyPort();
        if (busy != null) {
            System.err.println("keel-kv cluster: " + busy);
            return 2;
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.stopAll();
            done.countDown();
        }, "keel-cluster-shutdown"));
        cluster.startAll();
        cluster.printSummary(Duration.ofSeconds(30));
        console(cluster);
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Reads commands until end of input (then just keeps running until Ctrl-C). */
    private static void console(LocalCluster cluster) {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String[] words = line.trim().split("\\s+");
                    if (words[0].isEmpty()) {
                        continue;
                    }
                    if (words[0].equals("quit") || words[0].equals("exit")) {
                        System.exit(0); // runs the shutdown hook, which stops every node
                    }
                    cluster.command(words);
                }
            } catch (IOException e) {
                // No console: the cluster keeps running until Ctrl-C.
            }
        }, "keel-cluster-console");
        t.setDaemon(true);
        t.start();
    }
}
