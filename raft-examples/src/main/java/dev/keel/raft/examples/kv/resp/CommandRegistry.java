package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.resp.CommandSpec.Flag;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every command the node knows, by upper-case name, in registration order (which COMMAND lists). Filled once while
 * the {@link CommandTable} is built; read-only afterwards, so thread-safe to read.
 */
final class CommandRegistry {
    private final Map<String, CommandSpec> byName = new LinkedHashMap<>();

    CommandSpec get(String upperCaseName) {
        return byName.get(upperCaseName);
    }

    Collection<CommandSpec> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    void add(CommandSpec spec) {
        if (byName.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalStateException("command " + spec.name() + " registered twice");
        }
    }

    /** A data command that reads. */
    void read(String name, int arity, int first, int last, int step, String group, String summary, String since,
              CommandSpec.Data parse, Flag... extra) {
        add(new CommandSpec(name, arity, DataCommands.flags(false, extra), first, last, step, group, summary, since,
                parse));
    }

    /** A data command that writes. */
    void write(String name, int arity, int first, int last, int step, String group, String summary, String since,
               CommandSpec.Data parse, Flag... extra) {
        add(new CommandSpec(name, arity, DataCommands.flags(true, extra), first, last, step, group, summary, since,
                parse));
    }

    /** A command this node answers itself, without keys. */
    void local(String name, int arity, String group, String summary, String since, CommandSpec.Local run,
               Flag... flags) {
        Set<Flag> f = flags.length == 0 ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(List.of(flags));
        add(new CommandSpec(name, arity, f, 0, 0, 0, group, summary, since, run));
    }

    /** MULTI, EXEC, DISCARD, WATCH, UNWATCH. */
    void control(String name, int arity, int first, int last, String summary, String since, Flag... flags) {
        Set<Flag> f = flags.length == 0 ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(List.of(flags));
        f.add(Flag.NO_MULTI);
        add(new CommandSpec(name, arity, f, first, last, first == 0 ? 0 : 1, "transactions", summary, since,
                new CommandSpec.Control()));
    }
}
