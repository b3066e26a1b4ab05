package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.Numbers;
import dev.keel.raft.examples.kv.Replies;
import dev.keel.raft.examples.kv.resp.CommandSpec.Flag;
import dev.keel.raft.examples.kv.security.User;
import dev.keel.raft.examples.kv.security.Users;
import dev.keel.raft.examples.kv.store.Glob;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The connection and server commands a client library sends when it connects or a tool when it starts: PING, ECHO,
 * HELLO, AUTH, CLIENT, SELECT, INFO, CONFIG GET, TIME, QUIT. Answered by this node alone, in arrival order.
 */
final class ServerCommands {
    /** The Redis version whose behaviour the node follows, as INFO and HELLO report it (clients read it). */
    static final String REDIS_VERSION = "7.0.0";

    static final byte[] NOAUTH = Replies.error("NOAUTH Authentication required.");
    static final byte[] WRONGPASS = Replies.error("WRONGPASS invalid username-password pair or user is disabled.");
    private static final byte[] PONG = Replies.simple("PONG");
    private static final byte[] NO_DEFAULT_PASSWORD = Replies.error("ERR AUTH <password> called without any password "
            + "configured for the default user. Are you sure your configuration is correct?");
    private static final byte[] HELLO_NOAUTH = Replies.error("NOAUTH HELLO must be called with the client already "
            + "authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the "
            + "client and select the RESP protocol version at the same time");
    /** Read-only settings CONFIG GET reports, for tools that ask (redis-benchmark asks for save and appendonly). */
    private static final Map<String, String> CONFIG = configValues();

    private final Users users;
    private final ClientRegistry clients;
    private final InfoReport info;
    private final RefusalLog refusals;

    ServerCommands(Users users, ClientRegistry clients, InfoReport info, RefusalLog refusals) {
        this.users = users;
        this.clients = clients;
        this.info = info;
        this.refusals = refusals;
    }

    void register(CommandRegistry r) {
        r.local("PING", -1, "connection", "Returns the server's liveliness response.", "1.0.0",
                (a, s) -> done(a.size() == 1 ? PONG : a.size() == 2 ? Replies.bulk(a.get(1)) : arity(a)),
                Flag.FAST);
        r.local("ECHO", 2, "connection", "Returns the given string.", "1.0.0",
                (a, s) -> done(Replies.bulk(a.get(1))), Flag.FAST);
        r.local("QUIT", -1, "connection", "Closes the connection.", "1.0.0", (a, s) -> done(Replies.OK),
                Flag.NO_AUTH, Flag.FAST);
        r.local("HELLO", -1, "connection", "Handshakes with the server (RESP2 only).", "6.0.0", this::hello,
                Flag.NO_AUTH, Flag.NO_MULTI, Flag.FAST);
        r.local("AUTH", -2, "connection", "Authenticates the connection.", "1.0.0", this::auth,
                Flag.NO_AUTH, Flag.NO_MULTI, Flag.FAST);
        r.local("CLIENT", -2, "connection", "A container for client connection commands.", "2.4.0", this::client,
                Flag.NO_MULTI);
        r.local("SELECT", 2, "connection", "Changes the selected database (only 0 exists).", "1.0.0", this::select,
                Flag.FAST);
        r.local("INFO", -1, "server", "Returns information and statistics about the server.", "1.0.0",
                (a, s) -> done(Replies.bulk(info.render(sections(a)).getBytes(StandardCharsets.UTF_8))));
        r.local("CONFIG", -2, "server", "Returns the effective values of configuration parameters (GET only).",
                "2.0.0", this::config, Flag.NO_MULTI);
        r.local("TIME", 1, "server", "Returns this node's time.", "2.6.0", (a, s) -> time(), Flag.FAST);
    }

    /** {@code HELLO [protover [AUTH user pass] [SETNAME name]]}: RESP2 only; RESP3 is refused with NOPROTO. */
    private CompletableFuture<byte[]> hello(List<byte[]> a, ClientSession s) {
        if (a.size() >= 2) {
            Long version = Numbers.parseLong(a.get(1));
            if (version == null) {
                return done(Replies.error("ERR Protocol version is not an integer or out of range"));
            }
            if (version != 2) {
                // What clients expect from a server without RESP3: they go on with RESP2 (and AUTH, CLIENT SETNAME).
                return done(Replies.error("NOPROTO unsupported protocol version"));
            }
        }
        User authenticated = null;
        String name = null;
        for (int i = 2; i < a.size(); i++) {
            String option = text(a.get(i)).toUpperCase(Locale.ROOT);
            if (option.equals("AUTH") && i + 2 < a.size()) {
                String user = text(a.get(i + 1));
                Optional<User> u = users.authenticate(user, a.get(i + 2));
                if (u.isEmpty()) {
                    refusals.wrongPassword(s, user);
                    return done(WRONGPASS);
                }
                authenticated = u.get();
                i += 2;
            } else if (option.equals("SETNAME") && i + 1 < a.size()) {
                name = text(a.get(++i));
                if (!validName(name)) {
                    return done(Replies.error("ERR Client names cannot contain spaces, newlines or special "
                            + "characters."));
                }
            } else {
                return done(Replies.error("ERR Syntax error in HELLO option '" + text(a.get(i)) + "'"));
            }
        }
        if (authenticated == null && s.user().isEmpty()) {
            return done(HELLO_NOAUTH);
        }
        if (authenticated != null) {
            s.user(authenticated);
        }
        if (name != null) {
            s.name(name);
        }
        List<byte[]> reply = new ArrayList<>();
        field(reply, "server", Replies.bulk(bytes("redis")));
        field(reply, "version", Replies.bulk(bytes(REDIS_VERSION)));
        field(reply, "proto", Replies.integer(2));
        field(reply, "id", Replies.integer(s.id()));
        field(reply, "mode", Replies.bulk(bytes("standalone")));
        field(reply, "role", Replies.bulk(bytes("master")));
        field(reply, "modules", Replies.array(List.of()));
        return done(Replies.array(reply));
    }

    /** {@code AUTH password} (the default user) or {@code AUTH user password}. */
    private CompletableFuture<byte[]> auth(List<byte[]> a, ClientSession s) {
        if (a.size() > 3) {
            return done(Replies.error("ERR syntax error"));
        }
        String user = a.size() == 3 ? text(a.get(1)) : User.DEFAULT;
        if (a.size() == 2 && !users.hasDefaultUser()) {
            return done(NO_DEFAULT_PASSWORD);
        }
        Optional<User> u = users.authenticate(user, a.get(a.size() - 1));
        if (u.isEmpty()) {
            refusals.wrongPassword(s, user);
            return done(WRONGPASS);
        }
        s.user(u.get());
        return done(Replies.OK);
    }

    private CompletableFuture<byte[]> client(List<byte[]> a, ClientSession s) {
        String sub = text(a.get(1)).toUpperCase(Locale.ROOT);
        switch (sub) {
            case "ID" -> {
                return a.size() == 2 ? done(Replies.integer(s.id())) : subArity(a);
            }
            case "GETNAME" -> {
                return a.size() == 2 ? done(s.name().isEmpty() ? Replies.NIL : Replies.bulk(bytes(s.name())))
                        : subArity(a);
            }
            case "SETNAME" -> {
                if (a.size() != 3) {
                    return subArity(a);
                }
                String name = text(a.get(2));
                if (!validName(name)) {
                    return done(Replies.error("ERR Client names cannot contain spaces, newlines or special "
                            + "characters."));
                }
                s.name(name);
                return done(Replies.OK);
            }
            case "SETINFO" -> {
                if (a.size() != 4) {
                    return subArity(a);
                }
                return done(setInfo(s, text(a.get(2)), text(a.get(3))));
            }
            case "INFO" -> {
                return a.size() == 2 ? done(Replies.bulk(bytes(describe(s) + "\n"))) : subArity(a);
            }
            case "LIST" -> {
                StringBuilder sb = new StringBuilder();
                for (ClientSession c : clients.sessions()) {
                    sb.append(describe(c)).append('\n');
                }
                return done(Replies.bulk(bytes(sb.toString())));
            }
            case "NO-EVICT", "NO-TOUCH" -> {
                // Accepted for the clients that send them: the node neither evicts keys nor tracks access times.
                return a.size() == 3 ? done(Replies.OK) : subArity(a);
            }
            default -> {
                return done(Replies.error("ERR unknown subcommand '" + text(a.get(1)) + "'. Try CLIENT HELP."));
            }
        }
    }

    private static byte[] setInfo(ClientSession s, String attribute, String value) {
        String attr = attribute.toUpperCase(Locale.ROOT);
        if (!attr.equals("LIB-NAME") && !attr.equals("LIB-VER")) {
            return Replies.error("ERR Unrecognized option '" + attribute + "'");
        }
        if (!validName(value)) {
            return Replies.error("ERR " + attr.toLowerCase(Locale.ROOT)
                    + " cannot contain spaces, newlines or special characters.");
        }
        if (attr.equals("LIB-NAME")) {
            s.libName(value);
        } else {
            s.libVersion(value);
        }
        return Replies.OK;
    }

    /** One line of CLIENT LIST, with the fields Redis gives that mean something here. */
    private static String describe(ClientSession c) {
        ClientSession.Multi multi = c.multi(); // read once: another connection's loop may end it meanwhile
        return "id=" + c.id() + " addr=" + address(c) + " name=" + c.name() + " age=" + c.ageSeconds()
                + " db=0 multi=" + (multi == null ? -1 : multi.commands.size())
                + " user=" + c.user().map(User::name).orElse("") + " lib-name=" + c.libName()
                + " lib-ver=" + c.libVersion() + " cmd=" + c.lastCommand().toLowerCase(Locale.ROOT);
    }

    private static String address(ClientSession c) {
        String a = String.valueOf(c.remote());
        return a.startsWith("/") ? a.substring(1) : a;
    }

    private CompletableFuture<byte[]> select(List<byte[]> a, ClientSession s) {
        Long db = Numbers.parseLong(a.get(1));
        if (db == null) {
            return done(DataCommands.NOT_AN_INTEGER);
        }
        return done(db == 0 ? Replies.OK
                : Replies.error("ERR DB index is out of range (this node has one database, 0)"));
    }

    private CompletableFuture<byte[]> config(List<byte[]> a, ClientSession s) {
        String sub = text(a.get(1)).toUpperCase(Locale.ROOT);
        if (!sub.equals("GET")) {
            return done(Replies.error("ERR CONFIG " + sub + " is not supported: the node is configured in node.toml"));
        }
        if (a.size() < 3) {
            return subArity(a);
        }
        List<byte[]> out = new ArrayList<>();
        for (Map.Entry<String, String> e : CONFIG.entrySet()) {
            for (byte[] pattern : a.subList(2, a.size())) {
                if (Glob.of(text(pattern).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8))
                        .matches(bytes(e.getKey()))) {
                    out.add(bytes(e.getKey()));
                    out.add(bytes(e.getValue()));
                    break;
                }
            }
        }
        return done(Replies.bulkArray(out));
    }

    private static Map<String, String> configValues() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("databases", "1");
        m.put("save", "");
        m.put("appendonly", "no");
        m.put("maxmemory", "0");
        m.put("maxmemory-policy", "noeviction");
        m.put("timeout", "0");
        m.put("notify-keyspace-events", "");
        m.put("cluster-enabled", "no");
        return Map.copyOf(m);
    }

    private static CompletableFuture<byte[]> time() {
        long micros = System.currentTimeMillis() * 1000;
        return done(Replies.bulkArray(List.of(bytes(Long.toString(micros / 1_000_000)),
                bytes(Long.toString(micros % 1_000_000)))));
    }

    private static List<String> sections(List<byte[]> a) {
        List<String> s = new ArrayList<>();
        for (byte[] b : a.subList(1, a.size())) {
            s.add(text(b));
        }
        return s;
    }

    /** Redis's rule for client names and library attributes: printable ASCII without spaces. */
    static boolean validName(String name) {
        return name.chars().allMatch(ch -> ch > ' ' && ch <= '~');
    }

    private static void field(List<byte[]> out, String name, byte[] value) {
        out.add(Replies.bulk(bytes(name)));
        out.add(value);
    }

    private static CompletableFuture<byte[]> subArity(List<byte[]> a) {
        return done(Replies.error("ERR wrong number of arguments for '" + text(a.get(0)).toLowerCase(Locale.ROOT)
                + "|" + text(a.get(1)).toLowerCase(Locale.ROOT) + "' command"));
    }

    private static byte[] arity(List<byte[]> a) {
        return CommandTable.arityError(a);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static CompletableFuture<byte[]> done(byte[] reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
