package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.kv.config.HostPort;
import dev.keel.raft.examples.kv.security.MemberAccess;
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
    @Option(names = "--user", paramLabel = "NAME", description = "authenticate as this user (default: default, "
            + "when a password is given)")
    String user;
    @Option(names = "--password", paramLabel = "PASSWORD", description = "authenticate with this password; "
            + "better: set KEEL_KV_PASSWORD, which other users of this machine cannot read in the process list")
    String password;

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
        String secret = password != null ? password : System.getenv("KEEL_KV_PASSWORD");
        if (secret == null && user != null) {
            throw new IllegalArgumentException("--user needs a password: --password or KEEL_KV_PASSWORD");
        }
        return new NodeClient(seeds, secret == null ? MemberAccess.open()
                : MemberAccess.asUser(user != null ? user : "default", secret));
    }
}
