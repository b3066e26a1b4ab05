package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.Replies;
import dev.keel.raft.examples.kv.resp.CommandSpec.Flag;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * {@code COMMAND}, {@code COMMAND COUNT|LIST|INFO|DOCS}: the command table as Redis 7 describes its own, so that
 * redis-cli (help and hints) and client libraries that look commands up find what the node supports. RESP2 form: a
 * map is a flat array of keys and values.
 */
final class CommandDocs {
    private final CommandRegistry registry;

    CommandDocs(CommandRegistry registry) {
        this.registry = registry;
    }

    void register(CommandRegistry r) {
        r.local("COMMAND", -1, "server", "Returns detailed information about the commands of this node.", "2.8.13",
                (a, s) -> CompletableFuture.completedFuture(command(a)), Flag.NO_MULTI);
    }

    private byte[] command(List<byte[]> a) {
        if (a.size() == 1) {
            List<byte[]> all = new ArrayList<>();
            registry.all().forEach(spec -> all.add(info(spec)));
            return Replies.array(all);
        }
        String sub = text(a.get(1)).toUpperCase(Locale.ROOT);
        List<byte[]> names = a.subList(2, a.size());
        return switch (sub) {
            case "COUNT" -> Replies.integer(registry.all().size());
            case "LIST" -> Replies.bulkArray(registry.all().stream().map(s -> bytes(lower(s))).toList());
            case "INFO" -> {
                List<byte[]> out = new ArrayList<>();
                if (names.isEmpty()) {
                    registry.all().forEach(spec -> out.add(info(spec)));
                }
                for (byte[] n : names) {
                    CommandSpec spec = registry.get(text(n).toUpperCase(Locale.ROOT));
                    out.add(spec == null ? Replies.NIL : info(spec));
                }
                yield Replies.array(out);
            }
            case "DOCS" -> {
                List<byte[]> out = new ArrayList<>();
                if (names.isEmpty()) {
                    registry.all().forEach(spec -> addDocs(out, spec));
                }
                for (byte[] n : names) {
                    CommandSpec spec = registry.get(text(n).toUpperCase(Locale.ROOT));
                    if (spec != null) {
                        addDocs(out, spec);
                    }
                }
                yield Replies.array(out);
            }
            default -> Replies.error("ERR unknown subcommand '" + text(a.get(1)) + "'. Try COMMAND HELP.");
        };
    }

    /** The ten fields of a Redis 7 COMMAND entry. */
    private static byte[] info(CommandSpec spec) {
        List<byte[]> flags = new ArrayList<>();
        for (Flag f : spec.flags()) {
            flags.add(Replies.simple(f.redisName()));
        }
        List<byte[]> categories = new ArrayList<>();
        categories.add(Replies.simple("@" + (spec.has(Flag.WRITE) ? "write" : spec.has(Flag.READONLY) ? "read"
                : "connection")));
        categories.add(Replies.simple("@" + category(spec.group())));
        if (spec.has(Flag.ADMIN)) {
            categories.add(Replies.simple("@admin"));
        }
        categories.add(Replies.simple(spec.has(Flag.FAST) ? "@fast" : "@slow"));
        return Replies.array(List.of(
                Replies.bulk(bytes(lower(spec))),
                Replies.integer(spec.arity()),
                Replies.array(flags),
                Replies.integer(spec.firstKey()),
                Replies.integer(spec.lastKey()),
                Replies.integer(spec.keyStep()),
                Replies.array(categories),
                Replies.array(List.of()),
                Replies.array(List.of()),
                Replies.array(List.of())));
    }

    private static void addDocs(List<byte[]> out, CommandSpec spec) {
        out.add(Replies.bulk(bytes(lower(spec))));
        out.add(Replies.bulkArray(List.of(bytes("summary"), bytes(spec.summary()), bytes("since"),
                bytes(spec.since()), bytes("group"), bytes(spec.group()))));
    }

    private static String category(String group) {
        return switch (group) {
            case "generic" -> "keyspace";
            case "transactions" -> "transaction";
            case "cluster" -> "admin";
            default -> group;
        };
    }

    private static String lower(CommandSpec spec) {
        return spec.name().toLowerCase(Locale.ROOT);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
