package dev.keel.raft.examples.kv.cluster;

import dev.keel.raft.examples.kv.RespCall;
import dev.keel.raft.examples.kv.config.HostPort;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The launcher's view of a node: one {@code INFO raft} over a short-lived connection.
 */
final class RespProbe {
    private RespProbe() {
    }

    /** The node's {@code # Raft} fields, or empty if it does not answer within {@code timeoutMs}. */
    static Optional<Map<String, String>> raftInfo(String host, int port, int timeoutMs) {
        Object reply;
        try {
            reply = RespCall.call(new HostPort(host, port), Duration.ofMillis(timeoutMs), "INFO", "raft");
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!(reply instanceof String text)) {
            return Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String l : text.split("\r\n")) {
            int colon = l.indexOf(':');
            if (colon > 0 && !l.startsWith("#")) {
                fields.put(l.substring(0, colon), l.substring(colon + 1));
            }
        }
        return Optional.of(fields);
    }
}
