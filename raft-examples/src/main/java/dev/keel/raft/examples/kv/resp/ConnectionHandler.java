package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.redis.RedisCodecException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one connection's commands and writes their replies in the order the commands arrived, as RESP requires,
 * although they complete out of order (a GET served locally may finish before an earlier SET that went through the
 * log). Pipelined commands run concurrently; replies that are ready are written together, with one flush.
 *
 * <p>Not sharable: one per connection. Everything but {@link Slot#complete} runs on the connection's event loop.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Commands in flight on one connection before it stops reading, so a flooding client holds bounded memory. */
    static final int MAX_IN_FLIGHT = 4096;

    private final CommandTable table;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /**
     * Reads and writes of one connection must take effect in the order sent (a GET pipelined after a SET sees it), so
     * commands of one kind run concurrently, and a command of the other kind waits until they are all done. These
     * count and name the running ones; {@link #held} keeps the waiting ones, in order.
     */
    private final AtomicInteger running = new AtomicInteger();
    private CommandTable.Kind runningKind;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final AtomicBoolean releaseScheduled = new AtomicBoolean();
    private ChannelHandlerContext ctx;
    private ClientSession session;
    private boolean closing;
    private boolean readingPaused;

    ConnectionHandler(CommandTable table) {
        this.table = table;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.session = table.opened(ctx.executor(), ctx.channel().remoteAddress());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RespRequest request) || closing) {
            return;
        }
        if (request.rejection() == null && request.name().equals("QUIT")) {
            enqueue(CompletableFuture.completedFuture(Replies.OK), true);
            return;
        }
        CommandTable.Prepared prepared = table.prepare(request, session);
        CommandTable.Kind kind = prepared.kind();
        if (kind == CommandTable.Kind.LOCAL) {
            enqueue(prepared.action().get(), false);
        } else if (held.isEmpty() && (running.get() == 0 || runningKind == kind)) {
            run(prepared, newSlot(false));
        } else {
            held.add(new Held(prepared, newSlot(false)));
        }
        if (slots.size() >= MAX_IN_FLIGHT && !readingPaused) {
            readingPaused = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    private Slot newSlot(boolean last) {
        Slot slot = new Slot(last);
        slots.add(slot);
        if (last) {
            closing = true;
        }
        return slot;
    }

    private void enqueue(CompletableFuture<byte[]> reply, boolean last) {
        Slot slot = newSlot(last);
        if (reply.isDone()) {
            slot.reply = reply.getNow(null);
        } else {
            reply.thenAccept(slot::complete);
        }
    }

    /** Starts a read or write; on completion, lets held commands go once nothing of the other kind runs. */
    private void run(CommandTable.Prepared prepared, Slot slot) {
        runningKind = prepared.kind();
        running.incrementAndGet();
        prepared.action().get().thenAccept(reply -> {
            slot.complete(reply);
            if (running.decrementAndGet() == 0 && releaseScheduled.compareAndSet(false, true)) {
                ctx.executor().execute(this::releaseHeld);
            }
        });
    }

    private void releaseHeld() {
        releaseScheduled.set(false);
        // Only this thread starts commands, so "none running" cannot change under us.
        while (!held.isEmpty() && (running.get() == 0 || runningKind == held.peek().prepared.kind())) {
            Held h = held.poll();
            run(h.prepared, h.slot);
        }
    }

    private record Held(CommandTable.Prepared prepared, Slot slot) {
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        drain();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        table.closed(session);
        slots.clear();
        held.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException || cause instanceof RedisCodecException) {
            Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            String text = String.valueOf(c.getMessage());
            log.debug("protocol error from {}: {}", ctx.channel().remoteAddress(), text);
            if (!closing) {
                ctx.channel().config().setAutoRead(false);
                enqueue(CompletableFuture.completedFuture(Replies.error(
                        text.startsWith("Protocol error") ? "ERR " + text : "ERR Protocol error: " + text)), true);
                drain();
            }
        } else {
            if (!(cause instanceof IOException)) {
                log.warn("closing client connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            }
            ctx.close();
        }
    }

    /** Writes every reply that is ready at the head of the queue, then flushes once. */
    private void drain() {
        ByteBuf out = null;
        boolean close = false;
        Slot head;
        while ((head = slots.peek()) != null && head.reply != null) {
            slots.poll();
            if (out == null) {
                out = ctx.alloc().ioBuffer();
            }
            out.writeBytes(head.reply);
            if (head.last) {
                close = true;
                break;
            }
        }
        if (out != null) {
            if (close) {
                ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(out);
            }
        }
        if (readingPaused && slots.size() < MAX_IN_FLIGHT / 2 && !closing) {
            readingPaused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** One command's place in the reply order. */
    private final class Slot {
        final boolean last;
        volatile byte[] reply;

        Slot(boolean last) {
            this.last = last;
        }

        /** Called on whatever thread completed the command; the drain itself runs on the event loop. */
        void complete(byte[] value) {
            reply = value;
            if (drainScheduled.compareAndSet(false, true)) {
                ctx.executor().execute(() -> {
                    drainScheduled.set(false);
                    drain();
                });
            }
        }
    }
}
