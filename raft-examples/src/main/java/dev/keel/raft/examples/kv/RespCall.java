package dev.keel.raft.examples.kv;

import dev.keel.raft.examples.kv.config.HostPort;
import dev.keel.raft.examples.kv.security.MemberAccess;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking one-command RESP2 client over a short-lived connection, for the few calls made outside the request path
 * (a joining node asking a member of the cluster, the local launcher probing its nodes): sends a command and reads one
 * reply, decoded into Java values ({@code String} for simple and bulk strings, {@code Long},
 * {@code List<Object>} for arrays, {@link Error} for error replies, {@code null} for nil).
 */
public final class RespCall {
    /** An error reply. */
    public record Error(String text) {
    }

    private static final int MAX_BULK = 1 << 20;
    private static final int MAX_DEPTH = 4;

    private RespCall() {
    }

    /**
     * Sends {@code args} to {@code seed} and returns the reply.
     *
     * @throws IOException if the seed cannot be reached, does not answer within {@code timeout}, or answers garbage
     */
    public static Object call(HostPort seed, Duration timeout, String... args) throws IOException {
        return call(seed, timeout, MemberAccess.open(), args);
    }

    /**
     * As {@link #call(HostPort, Duration, String...)}, as a member: over TLS and after AUTH if {@code access} says so.
     * A refused AUTH is returned as its {@link Error}.
     */
    public static Object call(HostPort seed, Duration timeout, MemberAccess access, String... args)
            throws IOException {
        InetSocketAddress address = new InetSocketAddress(seed.host(), seed.port());
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve " + seed.host());
        }
        int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        try (Socket s = access.connect(address, Math.min(ms, 5000))) {
            s.setSoTimeout(ms);
            OutputStream out = s.getOutputStream();
            java.util.Optional<byte[]> auth = access.authCommand();
            if (auth.isPresent()) {
                out.write(auth.get());
            }
            out.write(encode(args));
            out.flush();
            BufferedInputStream in = new BufferedInputStream(s.getInputStream());
            if (auth.isPresent()) {
                Object authReply = read(in, 0);
                if (authReply instanceof Error) {
                    return authReply;
                }
            }
            return read(in, 0);
        }
    }

    static byte[] encode(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static Object read(InputStream in, int depth) throws IOException {
        int type = in.read();
        if (type == -1) {
            throw new EOFException("the connection closed before the reply");
        }
        String line = line(in);
        try {
            switch (type) {
                case '+':
                    return line;
                case '-':
                    return new Error(line);
                case ':':
                    return Long.parseLong(line);
                case '$': {
                    int len = Integer.parseInt(line);
                    if (len < 0) {
                        return null;
                    }
                    if (len > MAX_BULK) {
                        throw new IOException("bulk reply of " + len + " bytes is too long");
                    }
                    byte[] b = in.readNBytes(len);
                    if (b.length != len || in.read() != '\r' || in.read() != '\n') {
                        throw new EOFException("truncated bulk reply");
                    }
                    return new String(b, StandardCharsets.UTF_8);
                }
                case '*': {
                    int n = Integer.parseInt(line);
                    if (n < 0) {
                        return null;
                    }
                    if (depth >= MAX_DEPTH || n > 65_536) {
                        throw new IOException("unexpected reply shape");
                    }
                    List<Object> items = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        items.add(read(in, depth + 1));
                    }
                    return items;
                }
                default:
                    throw new IOException("not a RESP reply (type byte " + type + ")");
            }
        } catch (NumberFormatException e) {
            throw new IOException("malformed RESP length '" + line + "'");
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c == -1) {
                throw new EOFException("truncated reply");
            }
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > 1024) {
                throw new IOException("reply line too long");
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
