package dev.keel.raft.transport.netty.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The I/O flavour in use: the native epoll transport when it loads (Linux with the native library on the class
 * path), which saves a copy per read and gives better latency under load; NIO otherwise. Immutable.
 *
 * @param name                short name for logs
 * @param ioHandlerFactory    the event loops' I/O handler
 * @param socketChannel       client channel class
 * @param serverSocketChannel server channel class
 */
public record NettyIo(String name, IoHandlerFactory ioHandlerFactory, Class<? extends SocketChannel> socketChannel,
                      Class<? extends ServerSocketChannel> serverSocketChannel) {

    /** Epoll if {@code preferNative} and available, NIO otherwise. */
    public static NettyIo select(boolean preferNative) {
        if (preferNative && Epoll.isAvailable()) {
            return new NettyIo("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class,
                    EpollServerSocketChannel.class);
        }
        return new NettyIo("nio", NioIoHandler.newFactory(), NioSocketChannel.class, NioServerSocketChannel.class);
    }

    /** Why the native transport is not used, for the log, or null if it is available. */
    public static String nativeUnavailabilityReason() {
        Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? null : cause.toString();
    }

    /**
     * A group of {@code threads} event loops named after {@code owner}. Daemon threads, so that an embedding
     * application that forgets to close the transport can still exit.
     */
    public EventLoopGroup newGroup(int threads, String owner) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("keel-netty-" + owner, true),
                ioHandlerFactory);
    }
}
