package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.security.User;
import io.netty.util.concurrent.EventExecutor;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's open client connections, for CLIENT ID and LIST and for INFO's counters.
 *
 * <p>Thread-safe.
 */
public final class ClientRegistry {
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong totalConnections = new AtomicLong();
    private final AtomicLong commandsProcessed = new AtomicLong();
    private final Set<ClientSession> open = ConcurrentHashMap.newKeySet();

    /** A session for a new connection; {@link #closed} must follow. */
    ClientSession opened(EventExecutor loop, SocketAddress remote, Optional<User> user) {
        ClientSession s = new ClientSession(nextId.getAndIncrement(), loop, remote, user);
        open.add(s);
        totalConnections.incrementAndGet();
        return s;
    }

    void closed(ClientSession session) {
        open.remove(session);
    }

    void commandProcessed() {
        commandsProcessed.incrementAndGet();
    }

    /** Open client connections. */
    public int connected() {
        return open.size();
    }

    /** Connections accepted since the node started. */
    public long totalConnections() {
        return totalConnections.get();
    }

    /** Commands received since the node started. */
    public long commandsProcessed() {
        return commandsProcessed.get();
    }

    /** The open sessions, oldest first. */
    List<ClientSession> sessions() {
        List<ClientSession> all = new ArrayList<>(open);
        all.sort(Comparator.comparingLong(ClientSession::id));
        return all;
    }
}
