package dev.keel.raft.examples.kv.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The running local cluster: its node processes, their start and stop, and the launcher's console commands
 * ({@code status}, {@code kill N}, {@code stop N}, {@code start N}).
 *
 * <p>Thread-safe.
 */
public final class LocalCluster {
    private static final int STOP_SECONDS = 15;

    private final ClusterLayout layout;
    private final String host;
    private final PrintStream out;
    private final List<NodeProcess> processes = new ArrayList<>();
    private volatile boolean stopping;

    /**
     * @param host the address the nodes listen on, used to reach them
     * @param out  where progress and answers are printed
     */
    public LocalCluster(ClusterLayout layout, String host, PrintStream out) {
        this(layout, host, out, List.of("-Xmx1g"));
    }

    /**
     * @param host       the address the nodes listen on, used to reach them
     * @param out        where progress and answers are printed
     * @param jvmOptions options for the nodes' JVMs (heap, GC), put before the class path
     */
    public LocalCluster(ClusterLayout layout, String host, PrintStream out, List<String> jvmOptions) {
        this.layout = layout;
        this.host = host;
        this.out = out;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        for (ClusterLayout.Node n : layout.nodes()) {
            processes.add(new NodeProcess(n, command));
        }
    }

    /** A message naming a port some other process already listens on, or {@code null} if all are free. */
    public String busyPort() {
        for (ClusterLayout.Node n : layout.nodes()) {
            for (int port : new int[] {n.clientPort(), n.raftPort(), n.adminPort()}) {
                if (port == 0) {
                    continue;
                }
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
                } catch (IOException e) {
                    String which = port == n.clientPort() ? " client" : port == n.raftPort() ? " raft" : " admin";
                    return "port " + port + " (" + n.id() + which + ") on " + host + " is in use: stop what uses "
                            + "it, or pass --client-port/--raft-port/--admin-port with a fresh --data folder";
                }
            }
        }
        return null;
    }

    /** Starts every node and reports when one exits on its own. */
    public void startAll() {
        out.println((layout.reused() ? "Restarting the " : "Starting a ") + processes.size() + "-node cluster in "
                + layout.dataDir() + (layout.reused() ? " (reusing its data)" : ""));
        processes.forEach(this::start);
    }

    private void start(NodeProcess p) {
        p.start();
        Process proc = p.process();
        proc.onExit().thenAccept(done -> {
            if (!stopping && !p.stopRequested()) {
                out.println(p.node().id() + " exited with status " + done.exitValue() + "; see "
                        + p.node().logFile() + "  (type 'start " + p.node().id() + "' to restart it)");
            }
        });
    }

    /** Waits (up to {@code timeout}) for the nodes to answer and elect a leader, then prints how to connect. */
    public void printSummary(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<String> leader = Optional.empty();
        while (System.nanoTime() < deadline && (leader = leader()).isEmpty()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        out.println();
        out.printf("  %-5s %-12s %-10s %-11s %-8s %s%n", "node", "client port", "raft port", "admin port", "pid",
                "log");
        for (NodeProcess p : processes) {
            ClusterLayout.Node n = p.node();
            out.printf("  %-5s %-12d %-10d %-11s %-8d %s%n", n.id(), n.clientPort(), n.raftPort(),
                    n.adminPort() == 0 ? "-" : String.valueOf(n.adminPort()), p.pid(), n.logFile());
        }
        out.println();
        out.println(leader.map(l -> "Leader: " + l).orElse("No leader yet (the nodes' logs tell why)."));
        out.println("Connect with:  redis-cli -p " + layout.nodes().get(0).clientPort()
                + "   (any node accepts any command)");
        out.println("Watch it:      raft-examples/keel-kv status --watch -p " + layout.nodes().get(0).clientPort());
        out.println("Type here: status | kill nN | stop nN | start nN | help | quit.  Ctrl-C stops all nodes.");
    }

    /** Runs one console command. */
    public void command(String[] words) {
        String cmd = words[0];
        if (cmd.equals("status")) {
            status();
            return;
        }
        if ((cmd.equals("kill") || cmd.equals("stop") || cmd.equals("start")) && words.length == 2) {
            NodeProcess p = find(words[1]);
            if (p == null) {
                out.println("no node " + words[1] + "; nodes are n1..n" + processes.size());
                return;
            }
            switch (cmd) {
                case "kill" -> {
                    p.kill();
                    out.println("killed " + p.node().id() + " (SIGKILL)");
                }
                case "stop" -> {
                    p.stop(STOP_SECONDS);
                    out.println("stopped " + p.node().id());
                }
                default -> {
                    start(p);
                    out.println("started " + p.node().id() + " (pid " + p.pid() + ")");
                }
            }
            return;
        }
        out.println("commands: status | kill nN (SIGKILL) | stop nN (clean stop) | start nN | quit");
    }

    private void status() {
        for (NodeProcess p : processes) {
            ClusterLayout.Node n = p.node();
            if (!p.isRunning()) {
                out.printf("  %-4s down%n", n.id());
                continue;
            }
            Optional<Map<String, String>> info = RespProbe.raftInfo(host, n.clientPort(), 1000);
            out.printf("  %-4s %s%n", n.id(), info.map(i -> String.format("%-9s term %-4s leader %-4s applied %s",
                    i.get("role"), i.get("term"), i.get("leader"), i.get("applied_index")))
                    .orElse("not answering (pid " + p.pid() + ")"));
        }
    }

    /** The node that reports itself leader, waiting up to {@code timeout}; empty if none does by then. */
    public Optional<ClusterLayout.Node> awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            Optional<String> id = leader();
            if (id.isPresent()) {
                return Optional.ofNullable(find(id.get())).map(NodeProcess::node);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    /** The running node processes, in node order (for measuring what they use). */
    public List<ProcessHandle> runningProcesses() {
        List<ProcessHandle> out = new ArrayList<>();
        for (NodeProcess p : processes) {
            Process proc = p.process();
            if (proc != null && proc.isAlive()) {
                out.add(proc.toHandle());
            }
        }
        return out;
    }

    private Optional<String> leader() {
        for (NodeProcess p : processes) {
            if (p.isRunning()) {
                Optional<Map<String, String>> info = RespProbe.raftInfo(host, p.node().clientPort(), 500);
                if (info.isPresent() && "leader".equals(info.get().get("role"))) {
                    return Optional.of(p.node().id());
                }
            }
        }
        return Optional.empty();
    }

    private NodeProcess find(String id) {
        for (NodeProcess p : processes) {
            if (p.node().id().equals(id)) {
                return p;
            }
        }
        return null;
    }

    /** Stops every node cleanly (in parallel), waiting for each. */
    public void stopAll() {
        stopping = true;
        List<Thread> stoppers = new ArrayList<>();
        for (NodeProcess p : processes) {
            if (p.isRunning()) {
                Thread t = new Thread(() -> {
                    p.stop(STOP_SECONDS);
                    out.println("stopped " + p.node().id());
                });
                t.start();
                stoppers.add(t);
            }
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
