package dev.keel.raft.examples.kv.forward;

import dev.keel.raft.NodeId;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import dev.keel.raft.examples.kv.security.MemberAccess;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Sends writes to the leader's client port (see the package documentation for the protocol), one {@link PeerLink}
 * per peer, opened on first use; membership commands go over a second link per peer, so that a slow one (a new voter
 * catching up) never holds up the writes pipelined behind it.
 *
 * <p>Thread-safe.
 */
public final class Forwarder implements AutoCloseable {
    private final Function<NodeId, Optional<InetSocketAddress>> clientAddresses;
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelType;
    private final Executor resolver;
    private final Duration connectTimeout;
    private final Duration replyTimeout;
    private final Duration adminReplyTimeout;
    private final MemberAccess access;
    private final Map<NodeId, PeerLink> links = new ConcurrentHashMap<>();
    private final Map<NodeId, PeerLink> adminLinks = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param clientAddresses each peer's client (RESP) address, asked on every request (members come and go);
     *                        unresolved addresses are looked up per connection
     * @param group           event loops for the connections (shared with the RESP server)
     * @param channelType     the socket channel class matching {@code group}
     * @param resolver        where host names are looked up (blocking calls)
     * @param connectTimeout  limit for opening a connection
     * @param replyTimeout    how long a forwarded write may wait for its reply before its outcome is unknown
     * @param adminReplyTimeout the same for a membership command
     * @param access          TLS and credentials for members' client ports
     */
    public Forwarder(Function<NodeId, Optional<InetSocketAddress>> clientAddresses, EventLoopGroup group,
                     Class<? extends Channel> channelType, Executor resolver, Duration connectTimeout,
                     Duration replyTimeout, Duration adminReplyTimeout, MemberAccess access) {
        this.access = access;
        this.clientAddresses = clientAddresses;
        this.adminReplyTimeout = adminReplyTimeout;
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
        return send(links, leader, command, false);
    }

    /**
     * Sends an encoded membership command ({@code KEEL.ADMIN}) to {@code leader}.
     *
     * @return the outcome; never completes exceptionally
     */
    public CompletableFuture<ForwardResult> forwardAdmin(NodeId leader, byte[] request) {
        return send(adminLinks, leader, request, true);
    }

    private CompletableFuture<ForwardResult> send(Map<NodeId, PeerLink> table, NodeId leader, byte[] payload,
                                                  boolean admin) {
        InetSocketAddress address = closed ? null : clientAddresses.apply(leader).orElse(null);
        if (address == null) {
            return CompletableFuture.completedFuture(new ForwardResult.NotSent(
                    closed ? "the node is stopping" : "no client address known for " + leader));
        }
        PeerLink link = table.compute(leader, (id, old) -> {
            if (old != null && old.address().equals(address)) {
                return old;
            }
            if (old != null) {
                old.close(); // the member moved (or was replaced under its id)
            }
            return new PeerLink(id.value(), address, group.next(), channelType, resolver, connectTimeout,
                    admin ? adminReplyTimeout : replyTimeout, admin, access);
        });
        return link.send(payload);
    }

    /**
     * The cluster has a new leader: writes forwarded to any other node are given up on at once instead of waiting
     * out the reply timeout (a paused or cut-off old leader never answers), so that the writes queued behind them
     * move on to the new leader. Membership commands are left to finish: the node running one may hand leadership
     * over on purpose and still answer (RAFT.REMOVE of the leader).
     */
    public void leaderChanged(NodeId leader) {
        String why = leader + " leads now";
        links.forEach((id, link) -> {
            if (!id.equals(leader)) {
                link.abandon(why);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        links.values().forEach(PeerLink::close);
        adminLinks.values().forEach(PeerLink::close);
    }
}
