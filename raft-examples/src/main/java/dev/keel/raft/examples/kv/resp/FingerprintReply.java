package dev.keel.raft.examples.kv.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Reads the state machine's answer to a WATCH read: an array of integers (fingerprints) and nils (absent keys). */
final class FingerprintReply {
    private FingerprintReply() {
    }

    /** @throws IllegalStateException if the reply is not such an array of {@code n} elements */
    static List<OptionalLong> parse(byte[] reply, int n) {
        String text = new String(reply, StandardCharsets.US_ASCII);
        String[] lines = text.split("\r\n");
        if (lines.length != n + 1 || !lines[0].equals("*" + n)) {
            throw new IllegalStateException("unexpected WATCH reply " + text.trim());
        }
        List<OptionalLong> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            String line = lines[i];
            if (line.equals("$-1")) {
                out.add(OptionalLong.empty());
            } else if (line.startsWith(":")) {
                out.add(OptionalLong.of(Long.parseLong(line.substring(1))));
            } else {
                throw new IllegalStateException("unexpected WATCH reply element " + line);
            }
        }
        return out;
    }
}
