package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.KvCommand;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One command: its metadata as {@code COMMAND} and {@code COMMAND DOCS} report it (name, Redis-style arity: exact if
 * positive, a minimum if negative, the name included; flags; key positions; documentation) and how it runs.
 *
 * @param name     upper case
 * @param arity    as Redis gives it
 * @param flags    what the command is and may do
 * @param firstKey position of the first key argument (0 if none)
 * @param lastKey  position of the last key argument (-1: the last argument)
 * @param keyStep  distance between key arguments
 * @param group    the documentation group (string, hash, generic, connection, server, transactions, cluster)
 * @param summary  one line for COMMAND DOCS
 * @param since    the Redis version that introduced the command, or the Keel KV one for its own commands
 * @param handler  how it runs
 */
record CommandSpec(String name, int arity, Set<Flag> flags, int firstKey, int lastKey, int keyStep, String group,
                   String summary, String since, Handler handler) {

    /** What a command is, for COMMAND's flags and the server's checks. */
    enum Flag {
        /** Changes the replicated state (through the log). */
        WRITE,
        /** Reads the replicated state (a linearizable read). */
        READONLY,
        /** Needs a user with the admin right. */
        ADMIN,
        /** Needs a cluster member (the internal commands members send each other). */
        MEMBER,
        /** May run before AUTH. */
        NO_AUTH,
        /** Cannot be queued in MULTI (runs at once, or is refused there). */
        NO_MULTI,
        /** Constant or logarithmic time. */
        FAST;

        String redisName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a command runs. */
    sealed interface Handler permits Data, Local, Control {
    }

    /**
     * A command on the replicated data: its arguments become a {@link KvCommand}, a read or a write, which runs at
     * once or, inside MULTI, is queued.
     */
    @FunctionalInterface
    non-sealed interface Data extends Handler {
        /** The encoded command, or an error reply (without side effects) if the arguments are wrong. */
        Parsed parse(List<byte[]> args);
    }

    /** A command answered by this node (connection, server and admin commands); runs at once, in arrival order. */
    @FunctionalInterface
    non-sealed interface Local extends Handler {
        CompletableFuture<byte[]> run(List<byte[]> args, ClientSession session);
    }

    /** MULTI, EXEC, DISCARD, WATCH, UNWATCH: the command table runs these itself. */
    record Control() implements Handler {
    }

    /** A data command's arguments, checked: the command to run, or the error reply. */
    record Parsed(KvCommand command, byte[] error) {
        static Parsed of(KvCommand command) {
            return new Parsed(command, null);
        }

        static Parsed error(byte[] reply) {
            return new Parsed(null, reply);
        }
    }

    /** Whether {@code argc} arguments (the name included) fit the arity. */
    boolean arityAccepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    boolean has(Flag flag) {
        return flags.contains(flag);
    }
}
