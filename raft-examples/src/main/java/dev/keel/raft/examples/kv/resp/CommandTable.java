package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.AdminCommand;
import dev.keel.raft.examples.kv.MembershipAdmin;

import dev.keel.raft.examples.kv.Errors;
import dev.keel.raft.examples.kv.KvCommand;
import dev.keel.raft.examples.kv.Numbers;
import dev.keel.raft.examples.kv.Op;
import dev.keel.raft.examples.kv.RaftGateway;
import dev.keel.raft.examples.kv.Replies;
import dev.keel.raft.examples.kv.Batchers;
import io.netty.util.concurrent.EventExecutor;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The commands the KV node understands, each checking its arguments the way Redis does before anything reaches Raft:
 * a bad command costs an error reply and nothing else.
 *
 * <p>Thread-safe (stateless apart from its collaborators). Replies are RESP bytes; futures never fail.
 */
public final class CommandTable {
    private static final byte[] PONG = Replies.simple("PONG");

    private final RaftGateway gateway;
    private final Batchers batchers;
    private final InfoReport info;
    private final Map<String, Command> commands = new HashMap<>();

    /** What a command touches, which decides what it may run concurrently with on its connection. */
    public enum Kind {
        /** Answered by this node alone (PING, INFO); runs at once. */
        LOCAL,
        /** Reads the replicated state. */
        READ,
        /** Changes the replicated state. */
        WRITE
    }

    /** A command's action, after its name was matched; {@code conn} reads and writes for its connection. */
    @FunctionalInterface
    private interface Action {
        CompletableFuture<byte[]> run(List<byte[]> args, Batchers.Connection conn);
    }

    private record Command(Kind kind, Action action) {
    }

    public CommandTable(RaftGateway gateway, InfoReport info, MembershipAdmin admin) {
        this.gateway = gateway;
        this.batchers = new Batchers(gateway);
        this.info = info;
        addLocal("PING", (a, s) -> ping(a));
        addLocal("ECHO", (a, s) -> exactly(a, 2) ? done(Replies.bulk(a.get(1))) : arity(a));
        addLocal("INFO", (a, s) -> a.size() <= 2
                ? done(Replies.bulk(info.render(a.size() == 2 ? text(a.get(1)) : "default")
                .getBytes(StandardCharsets.UTF_8)))
                : arity(a));
        addLocal("RAFT.SNAPSHOT", (a, s) -> exactly(a, 1) ? snapshot() : arity(a));
        addRead("GET", (a, s) -> exactly(a, 2) ? s.read(KvCommand.of(Op.GET, a.get(1)).encode()) : arity(a));
        addRead("MGET", (a, s) -> a.size() >= 2 ? read(Op.MGET, a, s) : arity(a));
        addRead("EXISTS", (a, s) -> a.size() >= 2 ? read(Op.EXISTS, a, s) : arity(a));
        addRead("RAFT.DIGEST", (a, s) -> exactly(a, 1) ? s.read(KvCommand.of(Op.DIGEST).encode()) : arity(a));
        addWrite("SET", this::set);
        addWrite("DEL", (a, s) -> a.size() >= 2 ? write(new KvCommand(Op.DEL, 0, a.subList(1, a.size())), s) : arity(a));
        addWrite("INCR", (a, s) -> exactly(a, 2) ? write(KvCommand.incrBy(a.get(1), 1), s) : arity(a));
        addWrite("DECR", (a, s) -> exactly(a, 2) ? write(KvCommand.incrBy(a.get(1), -1), s) : arity(a));
        addWrite("INCRBY", (a, s) -> exactly(a, 3) ? incrBy(a, false, s) : arity(a));
        addWrite("DECRBY", (a, s) -> exactly(a, 3) ? incrBy(a, true, s) : arity(a));
        addWrite("CAS", (a, s) -> exactly(a, 4)
                ? write(KvCommand.of(Op.CAS, a.get(1), a.get(2), a.get(3)), s) : arity(a));
        // Membership commands run on the leader, whichever node a client sends them to (Keel forwards them).
        for (String name : AdminCommand.NAMES) {
            addLocal(name, (a, s) -> membership(admin, a));
        }
    }

    private static CompletableFuture<byte[]> membership(MembershipAdmin admin, List<byte[]> args) {
        try {
            return admin.execute(AdminCommand.parse(args));
        } catch (AdminCommand.Invalid e) {
            return done(Replies.error(e.getMessage()));
        }
    }

    private void addLocal(String name, Action action) {
        commands.put(name, new Command(Kind.LOCAL, action));
    }

    private void addRead(String name, Action action) {
        commands.put(name, new Command(Kind.READ, action));
    }

    private void addWrite(String name, Action action) {
        commands.put(name, new Command(Kind.WRITE, action));
    }

    /** What the command touches; refused and unknown commands are {@link Kind#LOCAL}. */
    public Kind kind(RespRequest request) {
        if (request.rejection() != null) {
            return Kind.LOCAL;
        }
        Command c = commands.get(request.name());
        return c == null ? Kind.LOCAL : c.kind();
    }

    /** A new connection's way to Raft (its reads batched per event loop, its writes through its own session). */
    public Batchers.Connection connect(EventExecutor loop) {
        return batchers.connection(loop);
    }

    /**
     * Runs a command (QUIT is the connection's business, not the table's).
     *
     * @param conn the connection's way to Raft ({@link #connect}); called on its event loop
     */
    public CompletableFuture<byte[]> execute(RespRequest request, Batchers.Connection conn) {
        if (request.rejection() != null) {
            return done(Replies.error(request.rejection()));
        }
        Command c = commands.get(request.name());
        if (c == null) {
            return done(unknown(request.args()));
        }
        return c.action().run(request.args(), conn);
    }

    private CompletableFuture<byte[]> ping(List<byte[]> a) {
        if (a.size() == 1) {
            return done(PONG);
        }
        return a.size() == 2 ? done(Replies.bulk(a.get(1))) : arity(a);
    }

    private CompletableFuture<byte[]> set(List<byte[]> a, Batchers.Connection batch) {
        if (a.size() < 3) {
            return arity(a);
        }
        int flags = 0;
        for (int i = 3; i < a.size(); i++) {
            String option = text(a.get(i)).toUpperCase(Locale.ROOT);
            int flag = switch (option) {
                case "NX" -> KvCommand.SET_NX;
                case "XX" -> KvCommand.SET_XX;
                case "GET" -> KvCommand.SET_GET;
                case "EX", "PX", "EXAT", "PXAT", "KEEPTTL" ->
                        -1; // Expiry needs a clock every replica agrees on; this KV has none.
                default -> 0;
            };
            if (flag == -1) {
                return done(Replies.error("ERR SET option " + option + " is not supported: keys do not expire"));
            }
            if (flag == 0 || (flags & flag) != 0) {
                return done(Replies.error("ERR syntax error"));
            }
            flags |= flag;
        }
        if ((flags & KvCommand.SET_NX) != 0 && (flags & KvCommand.SET_XX) != 0) {
            return done(Replies.error("ERR syntax error"));
        }
        return write(new KvCommand(Op.SET, flags, List.of(a.get(1), a.get(2))), batch);
    }

    private CompletableFuture<byte[]> incrBy(List<byte[]> a, boolean negate, Batchers.Connection batch) {
        Long delta = Numbers.parseLong(a.get(2));
        if (delta == null) {
            return done(Replies.error("ERR value is not an integer or out of range"));
        }
        if (negate) {
            if (delta == Long.MIN_VALUE) {
                return done(Replies.error("ERR decrement would overflow"));
            }
            delta = -delta;
        }
        return write(KvCommand.incrBy(a.get(1), delta), batch);
    }

    private CompletableFuture<byte[]> snapshot() {
        return gateway.snapshot().handle((meta, failure) -> failure == null
                ? Replies.integer(meta.index())
                : Replies.error("ERR snapshot failed: " + Errors.unwrap(failure).getMessage()));
    }

    private static CompletableFuture<byte[]> write(KvCommand command, Batchers.Connection batch) {
        return batch.write(command.encode());
    }

    private static CompletableFuture<byte[]> read(Op op, List<byte[]> a, Batchers.Connection batch) {
        return batch.read(new KvCommand(op, 0, a.subList(1, a.size())).encode());
    }

    private static boolean exactly(List<byte[]> a, int n) {
        return a.size() == n;
    }

    private static CompletableFuture<byte[]> arity(List<byte[]> a) {
        return done(Replies.error("ERR wrong number of arguments for '" + text(a.get(0)).toLowerCase(Locale.ROOT)
                + "' command"));
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

    private static CompletableFuture<byte[]> done(byte[] reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
