package dev.keel.raft.transport.netty.internal;

import dev.keel.raft.transport.netty.TransportStats;

import java.util.concurrent.atomic.LongAdder;

/**
 * The transport's counters. {@link LongAdder}s because senders on many threads and every event loop bump them on hot
 * paths, and they are read rarely. Thread-safe.
 */
public final class Counters {
    final LongAdder messagesSent = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder droppedQueueFull = new LongAdder();
    final LongAdder droppedUnreachable = new LongAdder();
    final LongAdder droppedUnknownPeer = new LongAdder();
    final LongAdder droppedTooLarge = new LongAdder();
    final LongAdder droppedInbound = new LongAdder();
    final LongAdder handshakesRefused = new LongAdder();
    final LongAdder connectionsClosedOnError = new LongAdder();

    /** Counts a send to an id that is not a configured peer. */
    public void droppedUnknownPeer() {
        droppedUnknownPeer.increment();
    }

    /** Counts a send dropped because the transport is not running. */
    public void droppedUnreachable() {
        droppedUnreachable.increment();
    }

    /** A consistent-enough snapshot: each counter is read once, not all at the same instant. */
    public TransportStats snapshot() {
        return new TransportStats(messagesSent.sum(), messagesReceived.sum(), droppedQueueFull.sum(),
                droppedUnreachable.sum(), droppedUnknownPeer.sum(), droppedTooLarge.sum(), droppedInbound.sum(),
                handshakesRefused.sum(), connectionsClosedOnError.sum());
    }
}
