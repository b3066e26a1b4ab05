package dev.keel.raft.examples.kv.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One client command as received: its arguments (the first is the command name), or, for a command that was read
 * but cannot be run (an argument over the size limit), the reason it is refused.
 *
 * @param args      the arguments; empty if refused
 * @param rejection the error reply text (without the leading {@code -}), or {@code null}
 * @param name      the command name in upper case (empty if refused)
 */
public record RespRequest(List<byte[]> args, String rejection, String name) {

    /** A request whose name is derived from its first argument. */
    public RespRequest(List<byte[]> args, String rejection) {
        this(args, rejection, args.isEmpty() ? "" : upperCase(args.get(0)));
    }

    /** A command to run. */
    public static RespRequest of(List<byte[]> args) {
        return new RespRequest(args, null);
    }

    /** A command refused with {@code error}. */
    public static RespRequest rejected(String error) {
        return new RespRequest(List.of(), error);
    }

    // Computed once: the connection, the command table and the batcher all look at it.
    private static String upperCase(byte[] name) {
        return new String(name, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
    }
}
