package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.RaftMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;

import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outbound side towards one peer: a bounded queue, one connection, and reconnection with backoff.
 *
 * <p>States: IDLE (no connection; the next message opens one), CONNECTING (TCP, TLS and Keel handshakes under way;
 * messages queue), CONNECTED (messages queue and are written in batches, one flush per batch), BACKOFF (the last
 * attempt failed; messages are dropped until the retry time, then the next message opens a connection) and CLOSED.
 * The peer is connected lazily because a Raft leader talks to every follower all the time anyway, while a follower
 * only answers: it needs no connection to a node that never asks it anything.
 *
 * <p>Threading: {@link #send} may be called from any thread and never blocks. Everything else runs on one event
 * loop, fixed for this peer, which owns the channel and the failure count; {@code state} is volatile so that senders
 * can drop early without a hop to the loop.
 */
public final class PeerConnection implements OutboundListener {
    private enum State { IDLE, CONNECTING, CONNECTED, BACKOFF, CLOSED }

    /** Writes per drain before yielding the loop to its other channels; one flush covers them all. */
    private static final int MAX_WRITES_PER_DRAIN = 512;

    private final NodeId peer;
    private final InetSocketAddress address;
    private final TransportContext context;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Backoff backoff;
    private final BoundedMessageQueue<RaftMessage> queue;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private final PeerMeters meters;
    private volatile State state = State.IDLE;
    private volatile long retryAtNanos;
    // Confined to the loop.
    private Channel channel;
    private int failures;
    private boolean connectedBefore;

    PeerConnection(NodeId peer, InetSocketAddress address, TransportContext context, EventLoop loop,
                   Bootstrap baseBootstrap, SslContext tls, int queueCapacity, Backoff backoff) {
        this.peer = peer;
        this.address = address;
        this.context = context;
        this.loop = loop;
        this.backoff = backoff;
        this.queue = new BoundedMessageQueue<>(queueCapacity);
        this.meters = context.peerMeters.of(peer);
        this.bootstrap = baseBootstrap.clone()
                .group(loop)
                .handler(new OutboundChannelInitializer(context, tls, address, this, meters));
    }

    @Override
    public NodeId peer() {
        return peer;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Queues {@code message} for the peer, or drops and counts it. Any thread; never blocks, never throws. */
    public void send(RaftMessage message) {
        State s = state;
        if (s == State.CLOSED || (s == State.BACKOFF && System.nanoTime() - retryAtNanos < 0)) {
            context.counters.droppedUnreachable.increment();
            meters.droppedUnreachable.increment();
            return;
        }
        if (!queue.offer(message)) {
            context.counters.droppedQueueFull.increment();
            meters.droppedQueueFull.increment();
            return;
        }
        scheduleDrain();
    }

    /** Closes the connection and drops what is queued. Any thread; idempotent. */
    public void close() {
        state = State.CLOSED;
        execute(() -> {
            state = State.CLOSED;
            Channel ch = channel;
            channel = null;
            if (ch != null) {
                ch.close();
            }
            dropQueued();
        });
    }

    @Override
    public void writable() {
        scheduleDrain();
    }

    @Override
    public void handshakeAccepted(Channel ch) {
        if (ch != channel || state != State.CONNECTING) {
            ch.close();
            return;
        }
        state = State.CONNECTED;
        if (failures > 0) {
            TransportContext.LOG.info("{}: reconnected to {} at {} after {} failed attempt(s)", context.selfId, peer,
                    address, failures);
        } else {
            TransportContext.LOG.info("{}: connected to {} at {}", context.selfId, peer, address);
        }
        failures = 0;
        drain();
    }

    @Override
    public void connectionFailed(Channel ch, String reason, Throwable localFault) {
        if (ch != channel || state == State.CLOSED) {
            return;
        }
        fail(reason, localFault);
    }

    private void fail(String reason, Throwable localFault) {
        channel = null;
        failures++;
        long delay = backoff.delayNanos(failures);
        retryAtNanos = System.nanoTime() + delay;
        state = State.BACKOFF;
        dropQueued();
        if (localFault != null) {
            // Not the network: saying "cannot reach" would send the operator after the wrong problem.
            context.localFaultLog.error(context.selfId + ": connecting to " + peer + " at " + address
                    + " failed inside this node, not because " + peer + " is unreachable: " + localFault
                    + ". This is a bug or a broken class path (for example another version of a library Keel uses"
                    + " hiding its own); retrying with backoff", localFault);
        } else if (failures == 1) {
            TransportContext.LOG.warn("{}: cannot reach {} at {}: {}; retrying with backoff", context.selfId, peer,
                    address, reason);
        } else {
            TransportContext.LOG.debug("{}: attempt {} to reach {} at {} failed: {}; next in {} ms", context.selfId,
                    failures, peer, address, reason, delay / 1_000_000);
        }
        context.peerUnreachable(peer);
    }

    @Override
    public void connectionLost(Channel ch) {
        if (ch != channel || state == State.CLOSED) {
            return;
        }
        channel = null;
        state = State.IDLE;
        TransportContext.LOG.info("{}: connection to {} at {} closed; reconnecting on the next message",
                context.selfId, peer, address);
        if (!queue.isEmpty()) {
            scheduleDrain();
        }
    }

    /** Drops every queued message, counted as unreachable. */
    private void dropQueued() {
        int n = queue.clear();
        context.counters.droppedUnreachable.add(n);
        meters.droppedUnreachable.add(n);
    }

    private void scheduleDrain() {
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            execute(drainTask);
        }
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down with the transport: nothing will be sent any more.
            drainScheduled.set(false);
            dropQueued();
        }
    }

    private void drain() {
        drainScheduled.set(false);
        switch (state) {
            case CONNECTED -> writeQueued();
            case IDLE -> connect();
            case BACKOFF -> {
                if (System.nanoTime() - retryAtNanos >= 0) {
                    connect();
                } else {
                    dropQueued();
                }
            }
            case CONNECTING -> {
                // handshakeAccepted drains.
            }
            case CLOSED -> dropQueued();
        }
    }

    private void connect() {
        state = State.CONNECTING;
        if (connectedBefore) {
            meters.reconnects.increment();
        }
        connectedBefore = true;
        if (!address.isUnresolved()) {
            connect(address);
            return;
        }
        // A host name is looked up for every attempt (so a peer that moved is found), and off the event loop:
        // the JDK's lookup blocks, and nothing may block an event loop.
        channel = null;
        try {
            GlobalEventExecutor.INSTANCE.execute(() -> {
                InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
                execute(() -> {
                    if (state != State.CONNECTING || channel != null) {
                        return;
                    }
                    if (resolved.isUnresolved()) {
                        failBeforeChannel("cannot resolve host " + address.getHostString());
                    } else {
                        connect(resolved);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            failBeforeChannel("cannot resolve host " + address.getHostString() + ": " + describe(e));
        }
    }

    private void connect(InetSocketAddress target) {
        ChannelFuture f = bootstrap.connect(target);
        channel = f.channel();
        f.addListener((ChannelFutureListener) future -> {
            if (!future.isSuccess()) {
                Throwable cause = future.cause();
                connectionFailed(future.channel(), "connect failed: " + describe(cause),
                        ConnectionErrors.isLocalFault(cause) ? cause : null);
            }
        });
    }

    /** A failure before any channel exists (name lookup): same handling as a failed connection. */
    private void failBeforeChannel(String reason) {
        if (state == State.CONNECTING && channel == null) {
            fail(reason, null);
        }
    }

    private void writeQueued() {
        Channel ch = channel;
        int written = 0;
        RaftMessage message;
        while (written < MAX_WRITES_PER_DRAIN && ch.isWritable() && (message = queue.poll()) != null) {
            Object wire = message;
            if (message instanceof AppendEntriesRequest ae) {
                // The only message that can approach the frame limit; the sizes computed here serve the encoder too.
                AppendEntriesWire.Measured measured = AppendEntriesWire.measure(ae, context.groupId);
                if (measured.size() > context.maxFrameSize) {
                    context.counters.droppedTooLarge.increment();
                    meters.droppedTooLarge.increment();
                    context.droppedLog.warn(context.selfId + ": dropped " + message + ": its frame of "
                            + measured.size() + " bytes exceeds maxFrameSize " + context.maxFrameSize
                            + "; lower the engine's maxEntriesBytesPerMessage or raise maxFrameSize");
                    continue;
                }
                wire = measured;
            }
            // The pipeline's RaftMessageEncoder serializes it; the flush below covers the whole batch.
            ch.write(wire, ch.voidPromise());
            written++;
        }
        if (written > 0) {
            context.counters.messagesSent.add(written);
            meters.sentFrames.add(written);
            ch.flush();
        }
        // Not writable: channelWritabilityChanged drains again once the socket catches up.
        if (written == MAX_WRITES_PER_DRAIN && !queue.isEmpty()) {
            scheduleDrain();
        }
    }

    static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown cause";
        }
        String message = cause.getMessage();
        if (message == null) {
            return cause.getClass().getSimpleName();
        }
        // "Could not initialize class X" alone does not say it is a NoClassDefFoundError.
        return ConnectionErrors.isLocalFault(cause) ? cause.toString() : message;
    }
}
