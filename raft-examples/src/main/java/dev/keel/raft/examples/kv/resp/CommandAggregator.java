package dev.keel.raft.examples.kv.resp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringRedisContent;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.LastBulkStringRedisContent;
import io.netty.handler.codec.redis.RedisCodecException;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Assembles the messages of Netty's {@code RedisDecoder} into {@link RespRequest}s: an array of bulk strings (what
 * every client sends) or an inline command (what a person types into telnet).
 *
 * <p>Unlike Netty's generic aggregators it bounds what it keeps: an argument longer than {@code maxArgumentBytes} is
 * read and discarded, and the command is passed on as {@linkplain RespRequest#rejected rejected}, so an oversized
 * value costs an error reply, not the connection. Anything that is not a command (a reply type, a nested array)
 * is a protocol error: {@link RedisCodecException}, after which the connection is closed, as Redis does.
 *
 * <p>Not sharable: one per connection.
 */
public final class CommandAggregator extends ChannelInboundHandlerAdapter {
    /** Redis's own limit on the number of arguments of one command. */
    static final int MAX_ARGUMENTS = 1024 * 1024;


    private final int maxArgumentBytes;
    private final long maxCommandBytes;

    private int expected = -1;
    private List<byte[]> args;
    private long commandBytes;
    private int received;
    private String rejection;
    // The bulk string being received in pieces: its bytes, how many were received, whether it is being discarded.
    private byte[] partial;
    private int partialPos;
    private boolean discarding;

    /**
     * @param maxArgumentBytes largest accepted argument (key or value)
     * @param maxCommandBytes  largest accepted total of a command's arguments
     */
    public CommandAggregator(int maxArgumentBytes, long maxCommandBytes) {
        this.maxArgumentBytes = maxArgumentBytes;
        this.maxCommandBytes = maxCommandBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof RedisMessage m) {
                read(ctx, m);
            } else {
                ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void read(ChannelHandlerContext ctx, RedisMessage msg) {
        if (msg instanceof ArrayHeaderRedisMessage header) {
            startArray(ctx, header.length());
        } else if (msg instanceof FullBulkStringRedisMessage full) {
            requireArray("bulk string");
            if (full.isNull()) {
                throw new RedisCodecException("Protocol error: null bulk string in a command");
            }
            startArgument(full.content().readableBytes());
            append(full.content());
            endArgument(ctx);
        } else if (msg instanceof BulkStringHeaderRedisMessage header) {
            requireArray("bulk string");
            if (header.isNull()) {
                throw new RedisCodecException("Protocol error: null bulk string in a command");
            }
            startArgument(header.bulkStringLength());
        } else if (msg instanceof BulkStringRedisContent content) {
            append(content.content());
            if (content instanceof LastBulkStringRedisContent) {
                endArgument(ctx);
            }
        } else if (msg instanceof InlineCommandRedisMessage inline) {
            if (expected >= 0) {
                throw new RedisCodecException("Protocol error: inline command inside an array");
            }
            inline(ctx, inline.content());
        } else {
            throw new RedisCodecException("Protocol error: expected a command, got " + msg.getClass().getSimpleName());
        }
    }

    private void requireArray(String what) {
        if (expected < 0) {
            throw new RedisCodecException("Protocol error: " + what + " outside a command array");
        }
    }

    private void startArray(ChannelHandlerContext ctx, long length) {
        if (expected >= 0) {
            throw new RedisCodecException("Protocol error: nested array in a command");
        }
        if (length <= 0) {
            return; // Redis ignores empty and null arrays.
        }
        if (length > MAX_ARGUMENTS) {
            throw new RedisCodecException("Protocol error: invalid multibulk length " + length);
        }
        expected = (int) length;
        args = new ArrayList<>(Math.min(expected, 16));
        received = 0;
        commandBytes = 0;
        rejection = null;
    }

    private void startArgument(long length) {
        commandBytes += length;
        if (rejection == null && length > maxArgumentBytes) {
            rejection = "ERR argument of " + length + " bytes exceeds max_value_bytes (" + maxArgumentBytes + ")";
        } else if (rejection == null && commandBytes > maxCommandBytes) {
            rejection = "ERR command of more than " + maxCommandBytes + " bytes is too large";
        }
        discarding = rejection != null;
        partial = discarding ? null : new byte[(int) length];
        partialPos = 0;
    }

    private void append(ByteBuf content) {
        int n = content.readableBytes();
        if (!discarding) {
            content.getBytes(content.readerIndex(), partial, partialPos, n);
        }
        partialPos += n;
    }

    private void endArgument(ChannelHandlerContext ctx) {
        if (!discarding) {
            args.add(partial);
        }
        partial = null;
        if (++received == expected) {
            RespRequest request = rejection != null ? RespRequest.rejected(rejection) : RespRequest.of(args);
            expected = -1;
            args = null;
            ctx.fireChannelRead(request);
        }
    }

    private void inline(ChannelHandlerContext ctx, String line) {
        List<byte[]> words = new ArrayList<>();
        for (String w : line.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                words.add(w.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!words.isEmpty()) {
            ctx.fireChannelRead(RespRequest.of(words));
        }
    }
}
