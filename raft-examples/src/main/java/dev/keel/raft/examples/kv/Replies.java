package dev.keel.raft.examples.kv;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * RESP2 replies as bytes, ready for the wire. The state machine answers with these bytes, so a reply crosses the
 * applier, Keel's forwarding and the client connection without being converted.
 */
public final class Replies {
    /** {@code +OK}. */
    public static final byte[] OK = simple("OK");
    /** The null bulk string ({@code $-1}), Redis's "no value". */
    public static final byte[] NIL = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    /** {@code :0}. */
    public static final byte[] ZERO = integer(0);
    /** {@code :1}. */
    public static final byte[] ONE = integer(1);

    private static final byte[] CRLF = {'\r', '\n'};

    private Replies() {
    }

    /** A simple string; {@code text} must not contain CR or LF. */
    public static byte[] simple(String text) {
        return ("+" + text + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** An error reply; the text starts with the error code, e.g. {@code "ERR syntax error"}. */
    public static byte[] error(String text) {
        return ("-" + text.replace('\r', ' ').replace('\n', ' ') + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** An integer reply. */
    public static byte[] integer(long value) {
        return (":" + value + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A bulk string, or {@link #NIL} for {@code null}. */
    public static byte[] bulk(byte[] value) {
        if (value == null) {
            return NIL;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 16);
        writeBulk(out, value);
        return out.toByteArray();
    }

    /** An array of bulk strings, {@code null} elements as nil. */
    public static byte[] bulkArray(List<byte[]> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + values.size() * 16);
        writeAscii(out, "*" + values.size());
        out.writeBytes(CRLF);
        for (byte[] v : values) {
            if (v == null) {
                out.writeBytes(NIL);
            } else {
                writeBulk(out, v);
            }
        }
        return out.toByteArray();
    }

    /** An array of replies already encoded (each a complete RESP value). */
    public static byte[] array(List<byte[]> encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + encoded.size() * 16);
        writeAscii(out, "*" + encoded.size());
        out.writeBytes(CRLF);
        encoded.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** Whether {@code reply} is an error reply. */
    public static boolean isError(byte[] reply) {
        return reply.length > 0 && reply[0] == '-';
    }

    private static void writeBulk(ByteArrayOutputStream out, byte[] value) {
        writeAscii(out, "$" + value.length);
        out.writeBytes(CRLF);
        out.writeBytes(value);
        out.writeBytes(CRLF);
    }

    private static void writeAscii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }
}
