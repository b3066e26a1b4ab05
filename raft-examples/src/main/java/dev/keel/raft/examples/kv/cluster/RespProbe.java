package dev.keel.raft.examples.kv.cluster;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The launcher's view of a node: one {@code INFO raft} over a short-lived connection. Only the two reply shapes INFO
 * can produce are understood (a bulk string or an error), which is all the launcher needs.
 */
final class RespProbe {
    private RespProbe() {
    }

    /** The node's {@code # Raft} fields, or empty if it does not answer within {@code timeoutMs}. */
    static Optional<Map<String, String>> raftInfo(String host, int port, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write("*2\r\n$4\r\nINFO\r\n$4\r\nraft\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String header = line(in);
            if (!header.startsWith("$")) {
                return Optional.empty();
            }
            byte[] body = in.readNBytes(Integer.parseInt(header.substring(1)));
            Map<String, String> fields = new LinkedHashMap<>();
            for (String l : new String(body, StandardCharsets.UTF_8).split("\r\n")) {
                int colon = l.indexOf(':');
                if (colon > 0 && !l.startsWith("#")) {
                    fields.put(l.substring(0, colon), l.substring(colon + 1));
                }
            }
            return Optional.of(fields);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
