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
 */
public record RespRequest(List<byte[]> args, String rejection) {

    /** A command to run. */
    public static RespRequest of(List<byte[]> args) {
        return new RespRequest(args, null);
    }

    /** A command refused with {@code error}. */
    public static RespRequest rejected(String error) {
        return new RespRequest(List.of(), error);
    }

    /** The command name in upper case (ASCII). */
    public String name() {
        return new String(args.get(0), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
    }
}
