package dev.keel.raft.examples.kv.resp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Netty's I/O flavour for the client port: native epoll where its library loads,
 * NIO otherwise.
 *
 * @param name          "epoll" or "nio", for the log
 * @param handler       creates the event loops' I/O handlers
 * @param socketChannel the client socket class
 * @param serverChannel the server socket class
 */
public record ClientIo(String name, IoHandlerFactory handler, Class<? extends SocketChannel> socketChannel,
                       Class<? extends ServerChannel> serverChannel) {

    /** Epoll if available, else NIO. */
    public static ClientIo detect() {
        if (Epoll.isAvailable()) {
            return new ClientIo("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class,
                    EpollServerSocketChannel.class);
        }
        return new ClientIo("nio", NioIoHandler.newFactory(), NioSocketChannel.class, NioServerSocketChannel.class);
    }

    /** A group of {@code threads} daemon event loops named after {@code owner}. */
    public EventLoopGroup newGroup(int threads, String owner) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(owner, true), handler);
    }
}
