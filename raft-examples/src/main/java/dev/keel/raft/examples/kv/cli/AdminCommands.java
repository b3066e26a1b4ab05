package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.kv.RespCall;
import dev.keel.raft.examples.kv.config.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The operator's membership and snapshot commands: {@code members}, {@code add}, {@code remove}, {@code transfer},
 * {@code snapshot}. Each sends the matching {@code RAFT.*} command to the first node that answers (any member: a
 * follower forwards it to the leader), prints what happened in a sentence, and exits with a status a script can act
 * on ({@link #OK} ... {@link #INDETERMINATE}).
 */
final class AdminCommands {
    /** Done. */
    static final int OK = 0;
    /** The cluster refused or failed: bad request, a conflicting change, a new voter or transfer target that did not
     * catch up or win in time. Nothing changed, or (TIMEOUT of an add) the node stays a learner. */
    static final int REFUSED = 1;
    /** Bad arguments. */
    static final int USAGE = 2;
    /** No node could be reached. */
    static final int UNREACHABLE = 3;
    /** Nothing changed and a retry is safe (no leader, or another change in progress). */
    static final int TRY_AGAIN = 4;
    /** It may or may not have happened (leadership moved midway, or the connection broke): check with members. */
    static final int INDETERMINATE = 5;

    private AdminCommands() {
    }

    /** Options every admin command takes. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        Target target = new Target();
        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "how long to wait for the answer (default 60s; add: 5m, as a new voter must catch up)")
        Duration timeout;
        @Spec
        CommandSpec spec;

        abstract String name();

        Duration timeout() {
            return timeout != null ? timeout : Duration.ofSeconds(60);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        /** Sends {@code args} and turns the reply into an exit status, printing it; {@code ok} describes success. */
        int run(String what, java.util.function.Function<Object, String> ok, String... args) {
            NodeClient client;
            try {
                client = target.client();
            } catch (IllegalArgumentException e) {
                err().println("keel-kv " + name() + ": " + e.getMessage());
                return USAGE;
            }
            NodeClient.Reply reply;
            try {
                reply = client.call(timeout(), args);
            } catch (NodeClient.NoAnswer e) {
                err().println("keel-kv " + name() + ": " + e.getMessage() + "; check with keel-kv members");
                return INDETERMINATE;
            } catch (IOException e) {
                err().println("keel-kv " + name() + ": " + e.getMessage());
                return UNREACHABLE;
            }
            if (!reply.isError()) {
                out().println(ok.apply(reply.value()));
                return OK;
            }
            String text = reply.errorText();
            String code = text.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            err().println("keel-kv " + name() + ": " + what + " failed (" + reply.from() + "): " + text);
            return switch (code) {
                case "TRYAGAIN" -> TRY_AGAIN;
                case "INDETERMINATE" -> INDETERMINATE;
                default -> REFUSED;
            };
        }
    }

    @Command(name = "members", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists the members: id, voter or learner, Raft and client addresses, and the leader.")
    static final class MembersCommand extends Base {
        @Override
        String name() {
            return "members";
        }

        @Override
        public Integer call() {
            return run("RAFT.MEMBERS", reply -> table(Members.parse(reply)), "RAFT.MEMBERS");
        }
    }

    /** The member list as printed by {@code members} and after a change. */
    static String table(Members m) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-10s %-8s %-24s %s", "ID", "ROLE", "RAFT ADDRESS", "CLIENT ADDRESS"));
        for (Members.Member member : m.members()) {
            lines.add(String.format(Locale.ROOT, "%-10s %-8s %-24s %-24s%s", member.id(), member.role(),
                    member.raft(), member.client().isEmpty() ? "-" : member.client(),
                    member.id().equals(m.leader()) ? "  (leader)" : "").stripTrailing());
        }
        lines.add("configuration at entry " + m.configIndex()
                + (m.changeInProgress() ? "; a membership change is in progress" : "")
                + (m.leader().isEmpty() ? "; no leader known" : ""));
        return String.join(System.lineSeparator(), lines);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Adds a member: as a learner, then (unless --learner) promoted to voter once caught up. "
                    + "Start the new node first (keel-kv run --join also adds it by itself).")
    static final class AddCommand extends Base {
        @Parameters(index = "0", paramLabel = "ID", description = "the new member's id")
        String id;
        @Parameters(index = "1", paramLabel = "HOST:RAFT_PORT", description = "where the others reach its Raft port")
        String raft;
        @Option(names = "--learner", description = "keep it a learner (receives the log, never votes)")
        boolean learner;

        @Override
        Duration timeout() {
            // Adding a voter waits for it to catch up, which can take minutes on a large state.
            return timeout != null ? timeout : Duration.ofMinutes(5);
        }

        @Override
        String name() {
            return "add";
        }

        @Override
        public Integer call() {
            try {
                HostPort.parse(raft);
            } catch (IllegalArgumentException e) {
                err().println("keel-kv add: " + e.getMessage() + " (give the new member's host:raftPort)");
                return USAGE;
            }
            String[] args = learner ? new String[]{"RAFT.ADD", id, raft, "LEARNER"}
                    : new String[]{"RAFT.ADD", id, raft};
            int status = run("adding " + id, r -> id + " added as a " + (learner ? "learner" : "voter") + " at "
                    + raft, args);
            return status == OK ? printMembers(this) : status;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Removes a member, voter or learner, alive or dead (the leader hands over first).")
    static final class RemoveCommand extends Base {
        @Parameters(index = "0", paramLabel = "ID", description = "the member to remove")
        String id;

        @Override
        String name() {
            return "remove";
        }

        @Override
        public Integer call() {
            int status = run("removing " + id, r -> id + " removed", "RAFT.REMOVE", id);
            return status == OK ? printMembers(this) : status;
        }
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Makes a voter the leader: the leader brings it up to date and has it start an election.")
    static final class TransferCommand extends Base {
        @Parameters(index = "0", paramLabel = "ID", description = "the voter to lead")
        String id;

        @Override
        String name() {
            return "transfer";
        }

        @Override
        public Integer call() {
            return run("transferring leadership to " + id, r -> id + " is the leader now", "RAFT.TRANSFER", id);
        }
    }

    @Command(name = "snapshot", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Takes a snapshot on a node now (and compacts its log behind it); --all: on every member.")
    static final class SnapshotCommand extends Base {
        @Option(names = "--all", description = "on every member, one after the other")
        boolean all;

        @Override
        String name() {
            return "snapshot";
        }

        @Override
        public Integer call() {
            if (!all) {
                return run("the snapshot", r -> "snapshot taken at index " + r, "RAFT.SNAPSHOT");
            }
            NodeClient client;
            try {
                client = target.client();
            } catch (IllegalArgumentException e) {
                err().println("keel-kv snapshot: " + e.getMessage());
                return USAGE;
            }
            Members members;
            try {
                NodeClient.Reply r = client.call(timeout(), "RAFT.MEMBERS");
                if (r.isError()) {
                    err().println("keel-kv snapshot: RAFT.MEMBERS failed: " + r.errorText());
                    return REFUSED;
                }
                members = Members.parse(r.value());
            } catch (IOException e) {
                err().println("keel-kv snapshot: " + e.getMessage());
                return UNREACHABLE;
            }
            int worst = OK;
            for (Members.Member m : members.members()) {
                if (m.client().isEmpty()) {
                    err().println(m.id() + ": its client address is unknown; skipped");
                    worst = Math.max(worst, UNREACHABLE);
                    continue;
                }
                try {
                    Object reply = client.callNode(HostPort.parse(m.client()), timeout(), "RAFT.SNAPSHOT");
                    if (reply instanceof RespCall.Error e) {
                        err().println(m.id() + ": snapshot failed: " + e.text());
                        worst = Math.max(worst, REFUSED);
                    } else {
                        out().println(m.id() + ": snapshot taken at index " + reply);
                    }
                } catch (IOException e) {
                    err().println(m.id() + ": cannot reach " + m.client() + ": " + e.getMessage());
                    worst = Math.max(worst, UNREACHABLE);
                }
            }
            return worst;
        }
    }

    /** After a change: prints the member list as it is now (a failure to read it does not fail the change). */
    private static int printMembers(Base command) {
        try {
            NodeClient.Reply r = command.target.client().call(command.timeout(), "RAFT.MEMBERS");
            if (!r.isError()) {
                command.out().println(table(Members.parse(r.value())));
            }
        } catch (IOException | IllegalArgumentException e) {
            command.err().println("(cannot list the members now: " + e.getMessage() + ")");
        }
        return OK;
    }
}
