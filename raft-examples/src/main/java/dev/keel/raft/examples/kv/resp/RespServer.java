package dev.keel.raft.examples.kv.resp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.redis.FixedRedisMessagePool;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.ssl.SslContext;
import dev.keel.raft.examples.kv.config.SecurityConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The client port: accepts RESP2 connections and serves them with a {@link CommandTable}.
 *
 * <p>Lifecycle: construct, {@link #start()}, {@link #close()}. The event loop groups belong to the caller.
 */
public final class RespServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RespServer.class);
    /** Longest inline command line (telnet-style), as in Redis. */
    private static final int MAX_INLINE_BYTES = 64 * 1024;

    private final InetSocketAddress bindAddress;
    private final CommandTable table;
    private final int maxArgumentBytes;
    private final long maxCommandBytes;
    private final EventLoopGroup group;
    private final ClientIo io;
    private final SslContext tls;
    private final RefusalLog refusals;
    private Channel serverChannel;

    /**
     * @param bindAddress      where to listen (port 0 picks one, see {@link #port()})
     * @param table            the commands
     * @param maxArgumentBytes largest key or value accepted
     * @param group            event loops for accepting and serving connections
     * @param io               the socket flavour matching {@code group}
     * @param tls              TLS on the port, or empty for plain TCP
     * @param refusals         where refused connections are logged
     * @throws IllegalArgumentException if the TLS material cannot be loaded
     */
    public RespServer(InetSocketAddress bindAddress, CommandTable table, int maxArgumentBytes, EventLoopGroup group,
                      ClientIo io, Optional<SecurityConfig.ClientTls> tls, RefusalLog refusals) {
        this.bindAddress = bindAddress;
        this.table = table;
        this.maxArgumentBytes = maxArgumentBytes;
        this.maxCommandBytes = maxCommandBytes(maxArgumentBytes);
        this.group = group;
        this.io = io;
        this.tls = tls.map(ClientTlsHandler::context).orElse(null);
        this.refusals = refusals;
    }

    /**
     * The largest total of one command's arguments: CAS carries three values, MSET and HSET several within this
     * bound. A transaction (one log entry) is held to it too.
     */
    public static long maxCommandBytes(int maxArgumentBytes) {
        return Math.max(3L * maxArgumentBytes + 1024, 1 << 20);
    }

    /**
     * Binds the client port.
     *
     * @throws IllegalStateException naming the address if it cannot be bound (e.g. in use)
     */
    public void start() {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(io.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(new ClientTlsHandler(tls, refusals));
                        }
                        ch.pipeline().addLast(
                                new RedisDecoder(MAX_INLINE_BYTES, FixedRedisMessagePool.INSTANCE, true),
                                new CommandAggregator(maxArgumentBytes, maxCommandBytes),
                                new ConnectionHandler(table));
                    }
                });
        try {
            serverChannel = b.bind(bindAddress).syncUninterruptibly().channel();
        } catch (Exception e) {
            String why = e instanceof BindException || String.valueOf(e.getMessage()).contains("in use")
                    ? "address already in use (another process listens there; pick another client_port)"
                    : String.valueOf(e.getMessage());
            throw new IllegalStateException("cannot listen for clients on " + bindAddress.getHostString() + ":"
                    + bindAddress.getPort() + ": " + why, e);
        }
        log.info("serving RESP clients on {} ({}{})", serverChannel.localAddress(), io.name(),
                tls != null ? ", TLS" : "");
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Stops accepting and closes the listening socket; open connections close with the event loops. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }
}
