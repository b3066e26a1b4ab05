package dev.keel.raft.testing;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.InboundHandler;
import dev.keel.raft.spi.Transport;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A network in memory for tests that run real {@code RaftServer}s on real threads: messages are handed straight to
 * the addressee's handler on the sender's thread. Links can be cut one direction at a time to build partitions.
 * Thread-safe.
 */
public final class InMemoryNetwork {
    private final Map<NodeId, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final Set<Link> cut = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();

    /** The transport of {@code id}; one per id. */
    public Transport transport(NodeId id) {
        Objects.requireNonNull(id, "id");
        return new Endpoint(id);
    }

    /** Stops delivering messages from {@code from} to {@code to} (one direction). */
    public void cut(NodeId from, NodeId to) {
        cut.add(new Link(from, to));
    }

    /** Cuts every link between {@code node} and the other nodes, both ways. */
    public void isolate(NodeId node) {
        for (NodeId other : endpoints.keySet()) {
            if (!other.equals(node)) {
                cut(node, other);
                cut(other, node);
            }
        }
    }

    /** Restores every link. */
    public void heal() {
        cut.clear();
    }

    /** Messages not delivered so far (cut link, or addressee not started or closed). */
    public long droppedCount() {
        return dropped.get();
    }

    private record Link(NodeId from, NodeId to) {
    }

    private final class Endpoint implements Transport {
        private final NodeId id;
        private volatile InboundHandler handler;

        Endpoint(NodeId id) {
            this.id = id;
        }

        @Override
        public void start(InboundHandler handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            if (endpoints.putIfAbsent(id, this) != null) {
                throw new IllegalStateException("a transport for " + id + " is already started on this network");
            }
        }

        @Override
        public void send(RaftMessage message) {
            Endpoint target = endpoints.get(message.to());
            if (handler == null || target == null || !message.from().equals(id)
                    || cut.contains(new Link(message.from(), message.to()))) {
                dropped.incrementAndGet();
                return;
            }
            InboundHandler h = target.handler;
            if (h != null) {
                h.onMessage(message);
            }
        }

        @Override
        public void close() {
            endpoints.remove(id, this);
            handler = null;
        }
    }
}
