package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.kv.RespCall;
import dev.keel.raft.examples.kv.config.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code keel-kv health}: whether a node serves clients, for container health checks. It sends {@code PING} to the
 * client port; any Redis reply (also an error such as {@code -NOAUTH}, which a node with authentication gives an
 * unauthenticated client) means the node is up and serving, exit status 0; no reply within the timeout, status 1.
 * It does not ask for a leader: a node waiting for the rest of its cluster is healthy, and a health check that
 * needed a quorum would keep a cluster that starts node by node from ever starting.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Exits 0 if the node on host:port answers a PING, 1 if not (for container health checks).")
final class HealthCommand implements Callable<Integer> {
    @Option(names = "--host", description = "the node's host (default 127.0.0.1)") String host = "127.0.0.1";
    @Option(names = "--port", description = "the node's client port (default 6379)") int port = 6379;
    @Option(names = "--timeout-ms", description = "how long to wait for the reply (default 3000)") int timeoutMs = 3000;

    @Override
    public Integer call() {
        try {
            Object reply = RespCall.call(new HostPort(host, port), Duration.ofMillis(timeoutMs), "PING");
            String text = reply instanceof RespCall.Error e ? "-" + e.text() : String.valueOf(reply);
            System.out.println("healthy: " + host + ":" + port + " answered " + text);
            return 0;
        } catch (IOException e) {
            System.out.println("unhealthy: " + host + ":" + port + ": " + e.getMessage());
            return 1;
        }
    }
}
