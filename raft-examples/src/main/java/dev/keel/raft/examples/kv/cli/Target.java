package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.kv.config.HostPort;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Which nodes an operator command talks to: {@code --node host:port} (repeatable) or {@code -p port}. */
final class Target {
    @Option(names = {"-n", "--node"}, paramLabel = "HOST:PORT", split = ",",
            description = "client address of a node to ask (repeat, or comma-separate, to try others if it does not "
                    + "answer; default 127.0.0.1:6401)")
    List<String> nodes;
    @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "shorthand for --node 127.0.0.1:PORT")
    Integer port;

    /**
     * @throws IllegalArgumentException naming a malformed address
     */
    NodeClient client() {
        List<HostPort> seeds = new ArrayList<>();
        if (port != null) {
            seeds.add(new HostPort("127.0.0.1", port));
        }
        if (nodes != null) {
            for (String n : nodes) {
                seeds.add(HostPort.parse(n.trim()));
            }
        }
        if (seeds.isEmpty()) {
            seeds.add(new HostPort("127.0.0.1", 6401));
        }
        return new NodeClient(seeds);
    }
}
