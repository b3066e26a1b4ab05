package dev.keel.raft.examples.kv.forward;

import dev.keel.raft.NodeId;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Sends writes to the leader's client port (see the package documentation for the protocol), one {@link PeerLink}
 * per peer, opened on first use.
 *
 * <p>Thread-safe.
 */
public final class Forwarder implements AutoCloseable {
    private final Map<NodeId, InetSocketAddress> clientAddresses;
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    private final Executor resolver;
    private final Duration connectTimeout;
    private final Duration replyTimeout;
    private final Map<NodeId, PeerLink> links = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param clientAddresses each peer's client (RESP) address; unresolved addresses are looked up per connection
     * @param group           event loops for the connections (shared with the RESP server)
     * @param channelType     the socket channel class matching {@code group}
     * @param resolver        where host names are looked up (blocking calls)
     * @param connectTimeout  limit for opening a connection
     * @param replyTimeout    how long a forwarded write may wait for its reply before its outcome is unknown
     */
    public Forwarder(Map<NodeId, InetSocketAddress> clientAddresses, EventLoopGroup group,
                     Class<? extends Channel> channelType, Executor resolver, Duration connectTimeout,
                     Duration replyTimeout) {
        this.clientAddresses = Map.copyOf(clientAddresses);
        this.group = group;
        this.channelType = channelType;
        this.resolver = resolver;
        this.connectTimeout = connectTimeout;
        this.replyTimeout = replyTimeout;
    }

    /**
     * Sends an encoded command to {@code leader}.
     *
     * @return the outcome; never completes exceptionally
     */
    public CompletableFuture<ForwardResult> forward(NodeId leader, byte[] command) {
        InetSocketAddress address = clientAddresses.get(leader);
        if (address == null || closed) {
            return CompletableFuture.completedFuture(new ForwardResult.NotSent(
                    closed ? "the node is stopping" : "no client address configured for " + leader));
        }
        PeerLink link = links.computeIfAbsent(leader, id -> new PeerLink(id.value(), address, group.next(),
                channelType, resolver, connectTimeout, replyTimeout));
        return link.send(command);
    }

    @Override
    public void close() {
        closed = true;
        links.values().forEach(PeerLink::close);
    }
}
