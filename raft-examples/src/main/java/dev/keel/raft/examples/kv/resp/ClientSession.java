package dev.keel.raft.examples.kv.resp;

import dev.keel.raft.examples.kv.Batchers;
import dev.keel.raft.examples.kv.Transaction;
import dev.keel.raft.examples.kv.security.User;
import io.netty.util.concurrent.EventExecutor;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the server knows about one client connection: its id, name and library, who it authenticated as, and its
 * transaction (MULTI) and watched keys.
 *
 * <p>Changed only on the connection's event loop, in the order commands arrive ({@link CommandTable#prepare}); the
 * fields CLIENT LIST reads from other connections' loops are volatile. A watched key's fingerprint is filled in by the
 * WATCH read when it completes, before any later command of the connection that depends on it runs.
 */
public final class ClientSession {
    private final long id;
    private final EventExecutor loop;
    private final SocketAddress remote;
    private final long createdMillis = System.currentTimeMillis();
    private volatile String name = "";
    private volatile String libName = "";
    private volatile String libVersion = "";
    private volatile User user;
    private volatile String lastCommand = "NULL";
    private volatile Multi multi;
    private List<WatchedKey> watches = new ArrayList<>();
    /** The connection's way to Raft; set once, right after the session is made, on the connection's loop. */
    private Batchers.Connection raft;

    /**
     * @param id     unique among this node's connections
     * @param loop   the connection's event loop
     * @param remote the client's address
     * @param user   who the connection is before AUTH (empty if it must authenticate)
     */
    ClientSession(long id, EventExecutor loop, SocketAddress remote, Optional<User> user) {
        this.id = id;
        this.loop = loop;
        this.remote = remote;
        this.user = user.orElse(null);
    }

    /** A queued transaction: the encoded commands and whether one was refused (then EXEC refuses them all). */
    static final class Multi {
        final List<byte[]> commands = new ArrayList<>();
        long bytes;
        boolean failed;
    }

    /** A key WATCH recorded, with its value's fingerprint once the WATCH read completed. */
    static final class WatchedKey {
        final byte[] key;
        volatile OptionalLong fingerprint;
        /** Set once the read completed; false if it failed, which makes EXEC abort. */
        volatile boolean known;

        WatchedKey(byte[] key) {
            this.key = key;
        }
    }

    long id() {
        return id;
    }

    /** The connection's reads (batched with its event loop's) and writes (through its own Keel client session). */
    Batchers.Connection raft() {
        return raft;
    }

    void raft(Batchers.Connection connection) {
        this.raft = connection;
    }

    EventExecutor loop() {
        return loop;
    }

    SocketAddress remote() {
        return remote;
    }

    long ageSeconds() {
        return (System.currentTimeMillis() - createdMillis) / 1000;
    }

    String name() {
        return name;
    }

    void name(String value) {
        name = value;
    }

    String libName() {
        return libName;
    }

    String libVersion() {
        return libVersion;
    }

    void libName(String value) {
        libName = value;
    }

    void libVersion(String value) {
        libVersion = value;
    }

    /** Who the connection is, or empty before a required AUTH. */
    Optional<User> user() {
        return Optional.ofNullable(user);
    }

    void user(User value) {
        user = value;
    }

    String lastCommand() {
        return lastCommand;
    }

    void lastCommand(String value) {
        lastCommand = value;
    }

    /** The open transaction, or {@code null} outside MULTI. */
    Multi multi() {
        return multi;
    }

    void startMulti() {
        multi = new Multi();
    }

    /** Ends the transaction (EXEC or DISCARD) and forgets the watched keys, as Redis does. */
    Multi endMulti() {
        Multi m = multi;
        multi = null;
        watches = new ArrayList<>();
        return m;
    }

    void watch(WatchedKey key) {
        watches.add(key);
    }

    /** The keys watched so far; EXEC takes them, UNWATCH and DISCARD drop them. */
    List<WatchedKey> watches() {
        return watches;
    }

    void unwatch() {
        watches = new ArrayList<>();
    }

    /** The watches in the form a transaction carries, or empty if one could not be read (EXEC must abort). */
    static Optional<List<Transaction.Watch>> resolved(List<WatchedKey> keys) {
        List<Transaction.Watch> out = new ArrayList<>(keys.size());
        for (WatchedKey k : keys) {
            if (!k.known) {
                return Optional.empty();
            }
            out.add(new Transaction.Watch(k.key, k.fingerprint));
        }
        return Optional.of(out);
    }
}
