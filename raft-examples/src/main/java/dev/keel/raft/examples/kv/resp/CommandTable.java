package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.AdminCommand;
import dev.keel.raft.examples.kv.Batchers;
import dev.keel.raft.examples.kv.Errors;
import dev.keel.raft.examples.kv.KvCommand;
import dev.keel.raft.examples.kv.MembershipAdmin;
import dev.keel.raft.examples.kv.Op;
import dev.keel.raft.examples.kv.RaftGateway;
import dev.keel.raft.examples.kv.Replies;
import dev.keel.raft.examples.kv.Transaction;
import dev.keel.raft.examples.kv.resp.CommandSpec.Flag;
import dev.keel.raft.examples.kv.resp.CommandSpec.Parsed;
import dev.keel.raft.examples.kv.security.User;
import dev.keel.raft.examples.kv.security.Users;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The commands the KV node understands ({@link CommandRegistry}), and the checks every command passes before it runs,
 * in Redis's order: known, authenticated, right number of arguments, permitted, then queued (inside MULTI) or run. A
 * refused command costs an error reply and nothing else.
 *
 * <p>Thread-safe (its state is per connection, in {@link ClientSession}). Replies are RESP bytes; futures never fail.
 */
public final class CommandTable {
    static final byte[] QUEUED = Replies.simple("QUEUED");
    private static final byte[] EXECABORT =
            Replies.error("EXECABORT Transaction discarded because of previous errors.");
    private static final byte[] EMPTY_ARRAY = Replies.array(List.of());

    private final RaftGateway gateway;
    private final Batchers batchers;
    private final Users users;
    private final ClientRegistry clients;
    private final RefusalLog refusals;
    private final long maxTransactionBytes;
    private final CommandRegistry registry = new CommandRegistry();

    /** What a command touches, which decides what it may run concurrently with on its connection. */
    public enum Kind {
        /** Answered by this node alone (PING, INFO, a queued command); runs at once. */
        LOCAL,
        /** Reads the replicated state. */
        READ,
        /** Changes the replicated state. */
        WRITE
    }

    /**
     * A command checked and bound to its connection's state as of its arrival, ready to run.
     *
     * @param kind   what it touches
     * @param action starts it; called once, when the connection lets it run
     */
    public record Prepared(Kind kind, Supplier<CompletableFuture<byte[]>> action) {
        static Prepared reply(byte[] reply) {
            CompletableFuture<byte[]> done = CompletableFuture.completedFuture(reply);
            return new Prepared(Kind.LOCAL, () -> done);
        }
    }

    /**
     * @param maxTransactionBytes the largest total of encoded commands one MULTI may queue: a transaction is one log
     *                            entry, which must fit one Raft message
     */
    public CommandTable(RaftGateway gateway, InfoReport info, MembershipAdmin admin, Users users,
                        ClientRegistry clients, RefusalLog refusals, long maxTransactionBytes) {
        this.gateway = gateway;
        this.batchers = new Batchers(gateway);
        this.users = users;
        this.clients = clients;
        this.refusals = refusals;
        this.maxTransactionBytes = maxTransactionBytes;
        new ServerCommands(users, clients, info, refusals).register(registry);
        new CommandDocs(registry).register(registry);
        DataCommands.register(registry);
        registry.control("MULTI", 1, 0, 0, "Starts a transaction.", "1.2.0", Flag.FAST);
        registry.control("EXEC", 1, 0, 0, "Executes all commands in a transaction, as one log entry.", "1.2.0");
        registry.control("DISCARD", 1, 0, 0, "Discards a transaction.", "2.0.0", Flag.FAST);
        registry.control("WATCH", -2, 1, -1, "Monitors changes to keys to determine the execution of a transaction.",
                "2.2.0", Flag.READONLY);
        registry.control("UNWATCH", 1, 0, 0, "Forgets about watched keys of a transaction.", "2.2.0", Flag.FAST);
        registerAdmin(admin);
    }

    private void registerAdmin(MembershipAdmin admin) {
        registry.local("RAFT.SNAPSHOT", 1, "cluster", "Keel: takes a snapshot now; replies its log index.",
                "keel-0.1", (a, s) -> snapshot(), Flag.ADMIN, Flag.NO_MULTI);
        for (String name : AdminCommand.NAMES) {
            registry.local(name, -1, "cluster", "Keel: membership (see the README).", "keel-0.1",
                    (a, s) -> membership(admin, a), Flag.ADMIN, Flag.NO_MULTI);
        }
    }

    /**
     * A new connection's state, registered for CLIENT LIST until {@link #closed}, with its way to Raft: reads batched
     * per event loop, writes through a Keel client session of its own.
     */
    ClientSession opened(io.netty.util.concurrent.EventExecutor loop, java.net.SocketAddress remote) {
        ClientSession s = clients.opened(loop, remote, users.anonymous());
        s.raft(batchers.connection(loop));
        return s;
    }

    void closed(ClientSession session) {
        clients.closed(session);
        session.raft().close();
    }

    /**
     * Checks a command as it arrives and binds it to the connection's state at that point (AUTH, MULTI and WATCH take
     * effect in arrival order, whatever runs concurrently).
     *
     * <p>Called on the connection's event loop.
     */
    public Prepared prepare(RespRequest request, ClientSession s) {
        clients.commandProcessed();
        if (request.rejection() != null) {
            return refuse(s, Replies.error(request.rejection()));
        }
        List<byte[]> args = request.args();
        CommandSpec spec = registry.get(request.name());
        if (spec == null) {
            return refuse(s, unknown(args));
        }
        s.lastCommand(request.name());
        Optional<User> user = s.user();
        if (user.isEmpty() && !spec.has(Flag.NO_AUTH)) {
            return refuse(s, ServerCommands.NOAUTH);
        }
        if (!spec.arityAccepts(args.size())) {
            return refuse(s, arityError(args));
        }
        if (spec.has(Flag.ADMIN) && !user.get().admin()) {
            refusals.notPermitted(s, user.get().name(), spec.name());
            return refuse(s, Replies.error("NOPERM User " + user.get().name() + " has no permissions to run the '"
                    + spec.name().toLowerCase(Locale.ROOT) + "' command"));
        }
        if (spec.has(Flag.MEMBER) && !user.get().member()) {
            refusals.notPermitted(s, user.get().name(), spec.name());
            return refuse(s, Replies.error("NOPERM User " + user.get().name() + " has no permissions to run the '"
                    + spec.name().toLowerCase(Locale.ROOT) + "' command (only cluster members may)"));
        }
        if (spec.handler() instanceof CommandSpec.Control) {
            return control(spec.name(), args, s);
        }
        if (s.multi() != null) {
            return queue(spec, args, s);
        }
        if (spec.handler() instanceof CommandSpec.Data data) {
            Parsed p = data.parse(args);
            return p.error() != null ? Prepared.reply(p.error()) : run(p.command().encode(),
                    p.command().op().isWrite(), s);
        }
        CommandSpec.Local local = (CommandSpec.Local) spec.handler();
        CompletableFuture<byte[]> reply = local.run(args, s);
        return new Prepared(Kind.LOCAL, () -> reply);
    }

    private Prepared run(byte[] encoded, boolean write, ClientSession s) {
        return write
                ? new Prepared(Kind.WRITE, () -> s.raft().write(encoded))
                : new Prepared(Kind.READ, () -> s.raft().read(encoded));
    }

    /** An error reply that, inside MULTI, also dooms the transaction (EXEC will refuse it), as in Redis. */
    private static Prepared refuse(ClientSession s, byte[] error) {
        if (s.multi() != null) {
            s.multi().failed = true;
        }
        return Prepared.reply(error);
    }

    private Prepared queue(CommandSpec spec, List<byte[]> args, ClientSession s) {
        if (!(spec.handler() instanceof CommandSpec.Data data)) {
            return refuse(s, Replies.error("ERR " + spec.name() + " is not allowed inside a transaction on this node "
                    + "(only commands on keys are)"));
        }
        Parsed p = data.parse(args);
        if (p.error() != null) {
            return refuse(s, p.error());
        }
        byte[] encoded = p.command().encode();
        ClientSession.Multi m = s.multi();
        m.bytes += encoded.length;
        if (m.bytes > maxTransactionBytes) {
            return refuse(s, Replies.error("ERR transaction too large: more than " + maxTransactionBytes
                    + " bytes of commands (one transaction is one log entry)"));
        }
        m.commands.add(encoded);
        return Prepared.reply(QUEUED);
    }

    private Prepared control(String name, List<byte[]> args, ClientSession s) {
        switch (name) {
            case "MULTI" -> {
                if (s.multi() != null) {
                    return Prepared.reply(Replies.error("ERR MULTI calls can not be nested"));
                }
                s.startMulti();
                return Prepared.reply(Replies.OK);
            }
            case "DISCARD" -> {
                if (s.multi() == null) {
                    return Prepared.reply(Replies.error("ERR DISCARD without MULTI"));
                }
                s.endMulti();
                return Prepared.reply(Replies.OK);
            }
            case "EXEC" -> {
                return exec(s);
            }
            case "WATCH" -> {
                if (s.multi() != null) {
                    return Prepared.reply(Replies.error("ERR WATCH inside MULTI is not allowed"));
                }
                return watch(args.subList(1, args.size()), s);
            }
            case "UNWATCH" -> {
                if (s.multi() != null) {
                    return refuse(s, Replies.error("ERR UNWATCH is not allowed inside a transaction on this node"));
                }
                s.unwatch();
                return Prepared.reply(Replies.OK);
            }
            default -> throw new AssertionError(name);
        }
    }

    private Prepared exec(ClientSession s) {
        if (s.multi() == null) {
            return Prepared.reply(Replies.error("ERR EXEC without MULTI"));
        }
        List<ClientSession.WatchedKey> watched = s.watches();
        ClientSession.Multi m = s.endMulti();
        if (m.failed) {
            return Prepared.reply(EXECABORT);
        }
        if (m.commands.isEmpty() && watched.isEmpty()) {
            return Prepared.reply(EMPTY_ARRAY);
        }
        // Runs once every earlier command of the connection is done, so the WATCH reads have their answers.
        return new Prepared(Kind.WRITE, () -> ClientSession.resolved(watched)
                .map(w -> s.raft().write(Transaction.exec(w, m.commands).encode()))
                .orElseGet(() -> CompletableFuture.completedFuture(Transaction.ABORTED)));
    }

    /** WATCH: reads the keys' fingerprints (linearizably), which EXEC then requires unchanged. */
    private Prepared watch(List<byte[]> keys, ClientSession s) {
        List<ClientSession.WatchedKey> watched = new ArrayList<>(keys.size());
        for (byte[] k : keys) {
            ClientSession.WatchedKey w = new ClientSession.WatchedKey(k);
            watched.add(w);
            s.watch(w);
        }
        byte[] query = new KvCommand(Op.FINGERPRINT, 0, keys).encode();
        return new Prepared(Kind.READ, () -> s.raft().read(query).thenApply(reply -> {
            if (Replies.isError(reply)) {
                return reply; // the keys stay unknown: EXEC will abort
            }
            List<java.util.OptionalLong> prints;
            try {
                prints = FingerprintReply.parse(reply, watched.size());
            } catch (RuntimeException e) {
                return Replies.error("ERR internal: " + e.getMessage());
            }
            for (int i = 0; i < watched.size(); i++) {
                watched.get(i).fingerprint = prints.get(i);
                watched.get(i).known = true;
            }
            return Replies.OK;
        }));
    }

    private CompletableFuture<byte[]> snapshot() {
        return gateway.snapshot().handle((meta, failure) -> failure == null
                ? Replies.integer(meta.index())
                : Replies.error("ERR snapshot failed: " + Errors.unwrap(failure).getMessage()));
    }

    private static CompletableFuture<byte[]> membership(MembershipAdmin admin, List<byte[]> args) {
        try {
            return admin.execute(AdminCommand.parse(args));
        } catch (AdminCommand.Invalid e) {
            return CompletableFuture.completedFuture(Replies.error(e.getMessage()));
        }
    }

    /** Redis's reply for a command given the wrong number of arguments. */
    static byte[] arityError(List<byte[]> a) {
        return Replies.error("ERR wrong number of arguments for '" + text(a.get(0)).toLowerCase(Locale.ROOT)
                + "' command");
    }

    private static byte[] unknown(List<byte[]> a) {
        StringBuilder sb = new StringBuilder("ERR unknown command '").append(text(a.get(0)))
                .append("', with args beginning with:");
        for (int i = 1; i < Math.min(a.size(), 4); i++) {
            String arg = text(a.get(i));
            sb.append(" '").append(arg.length() > 64 ? arg.substring(0, 64) + "..." : arg).append('\'');
        }
        return Replies.error(sb.toString());
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
