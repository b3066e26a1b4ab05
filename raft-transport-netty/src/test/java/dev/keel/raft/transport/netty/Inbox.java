package dev.keel.raft.transport.netty;

import dev.keel.raft.NodeId;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.InboundHandler;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Records what a transport delivers. Thread-safe. */
final class Inbox implements InboundHandler {
    final List<RaftMessage> received = new CopyOnWriteArrayList<>();
    final List<NodeId> unreachable = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(RaftMessage message) {
        received.add(message);
    }

    @Override
    public void onPeerUnreachable(NodeId peer) {
        unreachable.add(peer);
    }

    boolean has(Predicate<RaftMessage> p) {
        return received.stream().anyMatch(p);
    }

    long count(Predicate<RaftMessage> p) {
        return received.stream().filter(p).count();
    }
}
