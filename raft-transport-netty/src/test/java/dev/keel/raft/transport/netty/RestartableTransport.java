package dev.keel.raft.transport.netty;

import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.spi.Transport;

import java.util.function.Supplier;

/**
 * Test wrapper that lets a test close a running server's {@link NettyTransport} and start a fresh one on the same
 * address, while the {@code RaftServer} above keeps running: the server owns its transport and starts it only once,
 * so the restart happens underneath it.
 */
final class RestartableTransport implements Transport {
    private final Supplier<NettyTransport> factory;
    private volatile NettyTransport current;
    private volatile InboundHandler handler;
    private volatile boolean closed;

    RestartableTransport(Supplier<NettyTransport> factory) {
        this.factory = factory;
    }

    @Override
    public synchronized void start(InboundHandler h) {
        this.handler = h;
        current = factory.get();
        current.start(h);
    }

    /** Closes the underlying transport: the node is cut off from its peers until {@link #restart}. */
    synchronized void stop() {
        current.close();
    }

    /** A new transport with the same configuration (same address), delivering to the same server. */
    synchronized void restart() {
        current = factory.get();
        current.start(handler);
    }

    NettyTransport current() {
        return current;
    }

    @Override
    public void send(RaftMessage message) {
        NettyTransport t = current;
        if (t != null && !closed) {
            t.send(message);
        }
    }

    @Override
    public synchronized void membershipChanged(dev.keel.raft.Membership membership) {
        if (current != null) {
            current.membershipChanged(membership);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (current != null) {
            current.close();
        }
    }
}
