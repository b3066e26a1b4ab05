package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.kv.RespCall;
import dev.keel.raft.examples.kv.config.HostPort;
import dev.keel.raft.examples.kv.security.MemberAccess;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the operator commands reach a cluster: RESP calls to the client ports of the nodes given ({@code --node}),
 * trying each in turn until one answers. Any member serves every command (a follower forwards membership commands to
 * the leader).
 */
final class NodeClient {
    private final List<HostPort> seeds;
    private final MemberAccess access;

    /** @param access how to connect and authenticate (plain TCP, and AUTH when a password was given) */
    NodeClient(List<HostPort> seeds, MemberAccess access) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("give at least one node (host:clientPort)");
        }
        this.seeds = List.copyOf(seeds);
        this.access = access;
    }

    /** Sends {@code args} to one node (not another if it does not answer). */
    Object callNode(HostPort node, Duration timeout, String... args) throws IOException {
        return RespCall.call(node, timeout, access, args);
    }

    List<HostPort> seeds() {
        return seeds;
    }

    /** A reply and the node that gave it. */
    record Reply(HostPort from, Object value) {
        boolean isError() {
            return value instanceof RespCall.Error;
        }

        String errorText() {
            return ((RespCall.Error) value).text();
        }
    }

    /** The command reached a node, which did not answer in time or closed the connection: it may have run. */
    static final class NoAnswer extends IOException {
        NoAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Sends {@code args} to the first seed that can be reached; the next seed is tried only when a connection could not
     * be made (so a command is never sent twice).
     *
     * @throws NoAnswer    if a node took the command but did not answer within {@code timeout}
     * @throws IOException naming every seed tried and why, if none could be reached
     */
    Reply call(Duration timeout, String... args) throws IOException {
        List<String> failures = new ArrayList<>();
        for (HostPort seed : seeds) {
            try {
                return new Reply(seed, RespCall.call(seed, timeout, access, args));
            } catch (java.io.EOFException | java.net.SocketTimeoutException e) {
                if (e instanceof java.io.EOFException || String.valueOf(e.getMessage()).contains("Read")) {
                    throw new NoAnswer(seed + " took " + args[0] + " but gave no answer within "
                            + timeout.toMillis() + " ms (" + describe(e) + ")", e);
                }
                failures.add(seed + ": " + describe(e));
            } catch (IOException e) {
                failures.add(seed + ": " + describe(e));
            }
        }
        throw new IOException("no node answered (" + String.join("; ", failures) + ")");
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /**
     * The {@code field:value} lines of an INFO reply, section headers left out. A name in two sections keeps its first
     * value: {@code role} is Raft's (leader, follower, ...), whose section comes before Redis's {@code # Replication}
     * with its {@code role:master}.
     */
    static Map<String, String> infoFields(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.putIfAbsent(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }
}
