package dev.keel.raft.examples.kv;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The reply of {@code RAFT.MEMBERS}, as the membership tests read it, and a way to send any admin command. */
public record MembersReply(Map<String, String> members, boolean changeInProgress) {

    /** Sends {@code RAFT.MEMBERS} over {@code jedis} and reads the reply. */
    public static MembersReply of(Jedis jedis) {
        List<?> fields = (List<?>) send(jedis, "RAFT.MEMBERS");
        Map<String, String> members = new TreeMap<>();
        Boolean changing = null;
        for (int f = 0; f + 1 < fields.size(); f += 2) {
            String name = text(fields.get(f));
            if (name.equals("members")) {
                // Each row: id, role, Raft address, client address; kept as "role raft client" by id.
                for (Object row : (List<?>) fields.get(f + 1)) {
                    List<?> r = (List<?>) row;
                    members.put(text(r.get(0)), text(r.get(1)) + " " + text(r.get(2)) + " " + text(r.get(3)));
                }
            } else if (name.equals("change_in_progress")) {
                changing = !fields.get(f + 1).equals(0L);
            }
        }
        if (changing == null) {
            throw new AssertionError("RAFT.MEMBERS has no change_in_progress: " + fields);
        }
        return new MembersReply(members, changing);
    }

    /** Sends {@code args} (command name first) and returns the raw reply. */
    public static Object send(Jedis jedis, String... args) {
        ProtocolCommand name = () -> SafeEncoder.encode(args[0]);
        return jedis.sendCommand(name, Arrays.copyOfRange(args, 1, args.length));
    }

    /** A bulk or simple string reply as text; anything else as {@code String.valueOf}. */
    public static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }
}
