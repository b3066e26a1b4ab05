package dev.keel.raft.examples.kv.forward;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.keel.raft.examples.kv.security.MemberAccess;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One pipelined connection to one peer's client port, carrying forwarded writes. Requests are written in order and
 * the peer answers in order, so replies are matched to requests first-in first-out.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread; all state lives on one event loop. The connection is
 * opened on the first request and again on the first request after it is lost; host names are looked up on
 * {@code resolver} (never on the event loop), for every attempt, so a peer that moved to a new address is found.
 */
final class PeerLink {
    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);
    private static final String NOT_LEADER = "NOTLEADER";

    private final String peer;
    private final InetSocketAddress address;
    private final EventLoop loop;
    private final Executor resolver;
    private final Duration replyTimeout;
    private final boolean admin;
    private final MemberAccess access;
    private final Bootstrap bootstrap;

    // Event-loop state.
    private Channel channel;
    private boolean connecting;
    private boolean flushScheduled;
    private boolean closed;
    private final List<Pending> waitingForConnection = new ArrayList<>();
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    private ScheduledFuture<?> timeoutCheck;

    PeerLink(String peer, InetSocketAddress address, EventLoop loop, Class<? extends Channel> channelType,
             Executor resolver, Duration connectTimeout, Duration replyTimeout, boolean admin, MemberAccess access) {
        this.peer = peer;
        this.access = access;
        this.admin = admin;
        this.address = address;
        this.loop = loop;
        this.resolver = resolver;
        this.replyTimeout = replyTimeout;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        access.tls().ifPresent(tls -> ch.pipeline().addLast(
                                tls.newHandler(ch.alloc(), address.getHostString(), address.getPort())));
                        ch.pipeline().addLast(new RedisDecoder(), new RedisBulkStringAggregator(),
                                new RedisArrayAggregator(), new ReplyHandler());
                    }
                });
    }

    /** The peer's client address this link connects to. */
    InetSocketAddress address() {
        return address;
    }

    /** Sends one encoded command; the future completes on this link's event loop. */
    CompletableFuture<ForwardResult> send(byte[] command) {
        Pending p = new Pending(command);
        loop.execute(() -> enqueue(p));
        return p.result;
    }

    /**
     * Gives up on what is pending without closing the link for good: the peer stopped leading, so a reply may never
     * come. Requests already sent complete as {@link ForwardResult.Lost} (they may still commit), requests waiting
     * for a connection as {@link ForwardResult.NotSent}. An idle connection is kept for when the peer leads again.
     */
    void abandon(String why) {
        loop.execute(() -> {
            failWaiting(why);
            if (channel != null && !inFlight.isEmpty()) {
                log.info("giving up on {} requests forwarded to {}: {}", inFlight.size(), peer, why);
                channel.close();
            }
        });
    }

    /** Fails everything pending and closes the connection. */
    void close() {
        loop.execute(() -> {
            closed = true;
            failWaiting("the node is stopping");
            if (channel != null) {
                channel.close();
            }
        });
    }

    private void enqueue(Pending p) {
        if (closed) {
            p.result.complete(new ForwardResult.NotSent("the node is stopping"));
        } else if (channel != null && channel.isActive()) {
            write(p);
        } else {
            waitingForConnection.add(p);
            if (!connecting) {
                connect();
            }
        }
    }

    private void connect() {
        connecting = true;
        resolver.execute(() -> {
            InetSocketAddress resolved = address.isUnresolved()
                    ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
            loop.execute(() -> {
                if (resolved.isUnresolved()) {
                    connectFailed("cannot resolve " + address.getHostString());
                    return;
                }
                bootstrap.connect(resolved).addListener((ChannelFuture f) -> {
                    if (f.isSuccess()) {
                        connected(f.channel());
                    } else {
                        connectFailed(String.valueOf(f.cause().getMessage()));
                    }
                });
            });
        });
    }

    private void connected(Channel ch) {
        connecting = false;
        if (closed) {
            ch.close();
            return;
        }
        log.debug("forwarding connection to {} at {} open", peer, address);
        channel = ch;
        ch.closeFuture().addListener(f -> loop.execute(() -> lost(ch)));
        // With authentication on, the first request on the connection authenticates this node as a member.
        access.authCommand().ifPresent(auth -> {
            Pending p = new Pending(auth);
            p.auth = true;
            inFlight.add(p);
            p.sentAt = System.nanoTime();
            ch.write(io.netty.buffer.Unpooled.wrappedBuffer(auth));
        });
        List<Pending> ready = new ArrayList<>(waitingForConnection);
        waitingForConnection.clear();
        ready.forEach(this::write);
        if (timeoutCheck == null) {
            long period = Math.max(10, replyTimeout.toMillis() / 4);
            timeoutCheck = loop.scheduleAtFixedRate(this::checkTimeouts, period, period, TimeUnit.MILLISECONDS);
        }
    }

    private void connectFailed(String why) {
        connecting = false;
        log.debug("cannot open a forwarding connection to {} at {}: {}", peer, address, why);
        failWaiting("cannot connect to " + peer + " at " + address + ": " + why);
    }

    private void failWaiting(String why) {
        List<Pending> failed = new ArrayList<>(waitingForConnection);
        waitingForConnection.clear();
        failed.forEach(p -> p.result.complete(new ForwardResult.NotSent(why)));
    }

    private void write(Pending p) {
        inFlight.add(p);
        p.sentAt = System.nanoTime();
        Channel ch = channel;
        ByteBuf request = admin ? ForwardRequest.encodeAdmin(ch.alloc(), p.command)
                : ForwardRequest.encode(ch.alloc(), p.command);
        ch.write(request).addListener(f -> {
            if (f.isSuccess()) {
                p.written = true;
            } else {
                ch.close();
            }
        });
        // One flush for all the requests queued in this turn of the event loop.
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(() -> {
                flushScheduled = false;
                if (channel != null) {
                    channel.flush();
                }
            });
        }
    }

    private void lost(Channel ch) {
        if (channel != ch) {
            return;
        }
        channel = null;
        if (!inFlight.isEmpty()) {
            log.warn("forwarding connection to {} lost with {} requests unanswered", peer, inFlight.size());
        }
        while (!inFlight.isEmpty()) {
            Pending p = inFlight.poll();
            p.result.complete(p.written
                    ? new ForwardResult.Lost("connection to the leader " + peer + " lost before it answered")
                    : new ForwardResult.NotSent("connection to " + peer + " lost before sending"));
        }
        if (!waitingForConnection.isEmpty() && !closed) {
            connect();
        }
    }

    private void checkTimeouts() {
        Pending head = inFlight.peek();
        if (head != null && channel != null && System.nanoTime() - head.sentAt > replyTimeout.toNanos()) {
            log.warn("leader {} did not answer a forwarded write within {} ms; reconnecting", peer,
                    replyTimeout.toMillis());
            // Replies are matched in order: once one is missing, the connection cannot be trusted.
            channel.close();
        }
    }

    private void onReply(RedisMessage msg) {
        Pending p = inFlight.poll();
        if (p == null) {
            log.warn("unexpected reply from {} on the forwarding connection; closing it", peer);
            channel.close();
            return;
        }
        if (p.auth) {
            if (msg instanceof ErrorRedisMessage err) {
                // The requests behind it get NOAUTH errors, relayed to their clients: nothing is applied.
                log.error("{} refused this node's member credentials ({}): check member_password on every member",
                        peer, err.content());
            }
            return;
        }
        if (msg instanceof FullBulkStringRedisMessage bulk && !bulk.isNull()) {
            p.result.complete(new ForwardResult.Reply(ByteBufUtil.getBytes(bulk.content())));
        } else if (msg instanceof ErrorRedisMessage err) {
            String text = err.content();
            p.result.complete(text.startsWith(NOT_LEADER)
                    ? new ForwardResult.NotLeader()
                    : new ForwardResult.Reply(dev.keel.raft.examples.kv.Replies.error(text)));
        } else {
            p.result.complete(new ForwardResult.Lost("unexpected reply " + msg + " from " + peer));
            channel.close();
        }
    }

    private final class ReplyHandler extends SimpleChannelInboundHandler<RedisMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RedisMessage msg) {
            onReply(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("forwarding connection to {} failed: {}", peer, cause.toString());
            ctx.close();
        }
    }

    private static final class Pending {
        final byte[] command;
        final CompletableFuture<ForwardResult> result = new CompletableFuture<>();
        boolean written;
        boolean auth;
        long sentAt;

        Pending(byte[] command) {
            this.command = command;
        }
    }
}
