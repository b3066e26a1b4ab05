package bench.keel;

import bench.common.LoadRunner;
import bench.common.RaftDriver;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.storage.FileLogStorage;
import dev.keel.raft.storage.StorageConfig;
import dev.keel.raft.transport.netty.NettyTransport;
import dev.keel.raft.transport.netty.NettyTransportConfig;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keel in the peers' own harness ({@code ../shared/bench/peers}): 3 {@link RaftServer}s in one JVM, embedded as the
 * README's Embedding section shows. Storage: {@link FileLogStorage} with its defaults (every append fsynced, group
 * commit); transport: {@link NettyTransport} on 127.0.0.1:basePort..basePort+2; {@link RaftConfig#defaults()}.
 * Client: {@code submit(payload).get()} on the leader, shared by every writer thread (the harness's rule), which
 * returns once the entry is committed and applied on the leader.
 *
 * <p>Kept out of the Maven build because it implements the harness's interface, which is not published; run it with
 * {@code raft-examples/bench/peers.sh}, which compiles it against the harness and the Keel jars.
 */
public final class KeelPeersDriver implements RaftDriver {
    private final List<RaftServer> servers = new ArrayList<>();
    private final Map<RaftServer, Counter> counters = new LinkedHashMap<>();

    /** The state machine: counts applied writes; a write returns its index. */
    static final class Counter implements StateMachine {
        final AtomicLong applied = new AtomicLong();

        @Override
        public byte[] apply(long index, byte[] command) {
            applied.incrementAndGet();
            return ByteBuffer.allocate(8).putLong(index).array();
        }

        @Override
        public byte[] query(byte[] query) {
            return ByteBuffer.allocate(8).putLong(applied.get()).array();
        }
    }

    public static void main(String[] args) throws Exception {
        LoadRunner.main(new KeelPeersDriver(), args);
    }

    @Override
    public String name() {
        String version = RaftServer.class.getPackage().getImplementationVersion();
        return "keel-" + (version == null ? "dev" : version);
    }

    @Override
    public String config() {
        return "transport=Netty (keel-transport-netty, one connection per peer) store=FileLogStorage (fsync every "
                + "append, group commit) " + RaftConfig.defaults() + " client=submit().get() on the leader, shared";
    }

    @Override
    public void start(Path dir, int basePort) throws Exception {
        Map<NodeId, InetSocketAddress> members = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            members.put(NodeId.of("n" + (i + 1)), new InetSocketAddress("127.0.0.1", basePort + i));
        }
        for (NodeId id : members.keySet()) {
            Counter counter = new Counter();
            RaftServer s = RaftServer.builder()
                    .id(id)
                    .members(members.keySet())
                    .config(RaftConfig.defaults())
                    .stateMachine(counter)
                    .logStorage(FileLogStorage.open(StorageConfig.builder(dir.resolve(id.value())).build()))
                    .transport(new NettyTransport(NettyTransportConfig.builder()
                            .selfId(id).clusterId("peers-bench").members(members).build()))
                    .build();
            servers.add(s);
            counters.put(s, counter);
        }
        servers.forEach(RaftServer::start);
        servers.get(0).awaitLeader(Duration.ofSeconds(30));
    }

    private RaftServer leader() {
        for (RaftServer s : servers) {
            if (s.status().isLeader()) {
                return s;
            }
        }
        throw new IllegalStateException("no leader among " + servers.size() + " servers");
    }

    @Override
    public Client newClient() {
        RaftServer leader = leader();
        return payload -> leader.submit(payload).get();
    }

    @Override
    public long leaderApplied() {
        return counters.get(leader()).applied.get();
    }

    @Override
    public void close() {
        servers.forEach(RaftServer::close);
    }
}
