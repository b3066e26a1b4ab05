package dev.keel.raft.examples.kv;

import dev.keel.raft.NodeId;
import dev.keel.raft.examples.kv.config.HostPort;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A membership command as a client wrote it, checked: {@code RAFT.MEMBERS}, {@code RAFT.ADD id host:raftPort
 * [LEARNER]}, {@code RAFT.REMOVE id}, {@code RAFT.TRANSFER id}.
 */
public sealed interface AdminCommand {
    /** {@code RAFT.MEMBERS}: the configuration. */
    record Members() implements AdminCommand {
        @Override
        public List<String> args() {
            return List.of("RAFT.MEMBERS");
        }
    }

    /** {@code RAFT.ADD}: add {@code id} at {@code raft} as a learner, and unless {@code learner}, promote it. */
    record Add(NodeId id, HostPort raft, boolean learner) implements AdminCommand {
        @Override
        public List<String> args() {
            return learner ? List.of("RAFT.ADD", id.value(), raft.toString(), "LEARNER")
                    : List.of("RAFT.ADD", id.value(), raft.toString());
        }
    }

    /** {@code RAFT.REMOVE}: take {@code id} out of the cluster, whatever its role. */
    record Remove(NodeId id) implements AdminCommand {
        @Override
        public List<String> args() {
            return List.of("RAFT.REMOVE", id.value());
        }
    }

    /** {@code RAFT.TRANSFER}: hand leadership to {@code id}. */
    record Transfer(NodeId id) implements AdminCommand {
        @Override
        public List<String> args() {
            return List.of("RAFT.TRANSFER", id.value());
        }
    }

    /** A command that cannot be run; {@link #getMessage()} is the error reply's text. */
    final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    /** The command's canonical arguments, its name first. */
    List<String> args();

    /** The command's names, upper case. */
    List<String> NAMES = List.of("RAFT.MEMBERS", "RAFT.ADD", "RAFT.REMOVE", "RAFT.TRANSFER");

    /**
     * Checks a command's arguments (its name first) the way Redis does.
     *
     * @throws Invalid with the error reply's text ({@code ERR ...}) if they are wrong
     */
    static AdminCommand parse(List<byte[]> args) throws Invalid {
        String name = text(args.get(0)).toUpperCase(Locale.ROOT);
        int n = args.size();
        switch (name) {
            case "RAFT.MEMBERS" -> {
                requireArity(name, n == 1);
                return new Members();
            }
            case "RAFT.ADD" -> {
                requireArity(name, n == 3 || n == 4);
                boolean learner = false;
                if (n == 4) {
                    if (!text(args.get(3)).equalsIgnoreCase("LEARNER")) {
                        throw new Invalid("ERR syntax error: RAFT.ADD id host:raftPort [LEARNER], got '"
                                + text(args.get(3)) + "'");
                    }
                    learner = true;
                }
                HostPort raft;
                try {
                    raft = HostPort.parse(text(args.get(2)));
                    if (raft.host().chars().anyMatch(Character::isWhitespace)) {
                        throw new IllegalArgumentException("the host '" + raft.host() + "' contains whitespace");
                    }
                } catch (IllegalArgumentException e) {
                    throw new Invalid("ERR invalid Raft address for RAFT.ADD: " + e.getMessage()
                            + " (give the new member's host:raftPort)");
                }
                return new Add(nodeId(args.get(1)), raft, learner);
            }
            case "RAFT.REMOVE" -> {
                requireArity(name, n == 2);
                return new Remove(nodeId(args.get(1)));
            }
            case "RAFT.TRANSFER" -> {
                requireArity(name, n == 2);
                return new Transfer(nodeId(args.get(1)));
            }
            default -> throw new Invalid("ERR unknown membership command '" + text(args.get(0)) + "'");
        }
    }

    private static void requireArity(String name, boolean ok) throws Invalid {
        if (!ok) {
            throw new Invalid("ERR wrong number of arguments for '" + name.toLowerCase(Locale.ROOT) + "' command");
        }
    }

    private static NodeId nodeId(byte[] arg) throws Invalid {
        try {
            return NodeId.of(text(arg));
        } catch (IllegalArgumentException e) {
            throw new Invalid("ERR invalid node id: " + e.getMessage());
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
