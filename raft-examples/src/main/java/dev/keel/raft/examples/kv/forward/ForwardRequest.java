package dev.keel.raft.examples.kv.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * The RESP2 bytes of {@code KEEL.SUBMIT <command>}, the request a follower sends to the leader for a write, and of
 * {@code KEEL.ADMIN <request>}, the one it sends for a membership command.
 */
public final class ForwardRequest {
    /** The internal command's name. */
    public static final String COMMAND = "KEEL.SUBMIT";
    /** The internal command forwarding a membership command (its arguments encoded as {@code AdminRequest}). */
    public static final String ADMIN_COMMAND = "KEEL.ADMIN";
    private static final byte[] HEAD = head(COMMAND);
    private static final byte[] ADMIN_HEAD = head(ADMIN_COMMAND);

    private ForwardRequest() {
    }

    private static byte[] head(String name) {
        return ("*2\r\n$" + name.length() + "\r\n" + name + "\r\n$").getBytes(StandardCharsets.US_ASCII);
    }

    /** Encodes the request for {@code command} into a new buffer. */
    public static ByteBuf encode(ByteBufAllocator alloc, byte[] command) {
        return encode(alloc, HEAD, command);
    }

    /** Encodes {@code KEEL.ADMIN <request>} into a new buffer. */
    public static ByteBuf encodeAdmin(ByteBufAllocator alloc, byte[] request) {
        return encode(alloc, ADMIN_HEAD, request);
    }

    private static ByteBuf encode(ByteBufAllocator alloc, byte[] head, byte[] command) {
        byte[] len = Integer.toString(command.length).getBytes(StandardCharsets.US_ASCII);
        ByteBuf buf = alloc.buffer(head.length + len.length + command.length + 4);
        buf.writeBytes(head).writeBytes(len).writeByte('\r').writeByte('\n');
        buf.writeBytes(command).writeByte('\r').writeByte('\n');
        return buf;
    }
}
