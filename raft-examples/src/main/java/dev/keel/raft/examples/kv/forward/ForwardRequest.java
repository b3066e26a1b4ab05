package dev.keel.raft.examples.kv.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/** The RESP2 bytes of {@code KEEL.SUBMIT <command>}, the one request a follower sends to the leader. */
public final class ForwardRequest {
    /** The internal command's name. */
    public static final String COMMAND = "KEEL.SUBMIT";
    private static final byte[] HEAD = ("*2\r\n$" + COMMAND.length() + "\r\n" + COMMAND + "\r\n$")
            .getBytes(StandardCharsets.US_ASCII);

    private ForwardRequest() {
    }

    /** Encodes the request for {@code command} into a new buffer. */
    public static ByteBuf encode(ByteBufAllocator alloc, byte[] command) {
        byte[] len = Integer.toString(command.length).getBytes(StandardCharsets.US_ASCII);
        ByteBuf buf = alloc.buffer(HEAD.length + len.length + command.length + 4);
        buf.writeBytes(HEAD).writeBytes(len).writeByte('\r').writeByte('\n');
        buf.writeBytes(command).writeByte('\r').writeByte('\n');
        return buf;
    }
}
