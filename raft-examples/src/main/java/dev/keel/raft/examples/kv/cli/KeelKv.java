package dev.keel.raft.examples.kv.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keel-kv}: the KV node's command line. */
@Command(name = "keel-kv", mixinStandardHelpOptions = true,
        description = "A replicated key-value store speaking the Redis protocol, built on Keel (Raft).",
        subcommands = {RunCommand.class, ClusterCommand.class, StatusCommand.class, HealthCommand.class,
                AdminCommands.MembersCommand.class, AdminCommands.AddCommand.class, AdminCommands.RemoveCommand.class,
                AdminCommands.TransferCommand.class, AdminCommands.SnapshotCommand.class})
public final class KeelKv {

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        int status = new CommandLine(new KeelKv()).execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }
}
