package dev.keel.raft.examples.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking RESP2 client for the 3-process mode: one connection, one request at a time, as a closed-loop
 * {@code redis-benchmark} client does. It understands the reply types {@code SET} and {@code GET} produce (simple
 * string, error, bulk string, integer) and nothing else; a node's error reply becomes an {@link IOException}.
 */
final class RespClient implements AutoCloseable {
    private static final int MAX_LINE = 64 * 1024;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final StringBuilder line = new StringBuilder();

    RespClient(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            out = new BufferedOutputStream(socket.getOutputStream());
            in = new BufferedInputStream(socket.getInputStream());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The RESP encoding of a command: an array of bulk strings. Encode once, send many times. */
    static byte[] encode(byte[]... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(a);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    /** Sends an encoded command and waits for its reply; returns the reply's length (bulk) or 0. */
    int call(byte[] encodedCommand) throws IOException {
        out.write(encodedCommand);
        out.flush();
        return readReply();
    }

    private int readReply() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("the node closed the connection");
        }
        String text = readLine();
        switch (type) {
            case '+', ':' -> {
                return 0;
            }
            case '-' -> throw new IOException("the node answered an error: " + text);
            case '$' -> {
                int len = parseLength(text);
                if (len < 0) {
                    return 0; // nil
                }
                in.skipNBytes(len + 2L);
                return len;
            }
            default -> throw new IOException("unexpected reply type '" + (char) type + "' (" + text + ")");
        }
    }

    private static int parseLength(String text) throws IOException {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IOException("bad bulk length '" + text + "'", e);
        }
    }

    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the node closed the connection mid-reply");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("malformed reply: CR without LF");
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("reply line longer than " + MAX_LINE + " bytes");
            }
            line.append((char) c);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a benchmark connection: nothing to do about it
        }
    }
}
