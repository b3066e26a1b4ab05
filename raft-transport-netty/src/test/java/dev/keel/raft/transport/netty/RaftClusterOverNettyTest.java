package dev.keel.raft.transport.netty;

import dev.keel.raft.testing.Await;
import dev.keel.raft.Committed;
import dev.keel.raft.ClientSession;
import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.Role;
import dev.keel.raft.proto.v1.Envelope;
import dev.keel.raft.proto.v1.Handshake;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Three real {@link RaftServer}s talking over {@link NettyTransport} on 127.0.0.1, with in-memory storage. */
class RaftClusterOverNettyTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    // Short enough for quick elections, long enough that a loaded 2-core machine (GC, TLS handshakes, other builds)
    // does not make a healthy leader look dead: with two of three nodes trusted, one missed deadline loses a term.
    private static final RaftConfig CONFIG = RaftConfig.builder()
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            .build();

    @TempDir
    Path dir;
    private final Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
    private final Map<NodeId, RaftServer> servers = new LinkedHashMap<>();
    private final Map<NodeId, RecordingStateMachine> machines = new LinkedHashMap<>();
    private final Map<NodeId, RestartableTransport> transports = new LinkedHashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private void startCluster(Function<NodeId, TlsConfig> tls) {
        IDS.forEach(id -> addresses.put(id, LoopbackPorts.freeAddress()));
        for (NodeId id : IDS) {
            NettyTransportConfig config = NettyTransportConfig.builder()
                    .selfId(id)
                    .clusterId("raft-over-netty")
                    .members(addresses)
                    .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(200))
                    .ioThreads(1)
                    .tls(tls.apply(id))
                    .build();
            RestartableTransport transport = new RestartableTransport(() -> new NettyTransport(config));
            RecordingStateMachine sm = new RecordingStateMachine();
            RaftServer server = RaftServer.builder().id(id).members(IDS).config(CONFIG).stateMachine(sm)
                    .logStorage(InMemoryLogStorage.autoSync()).transport(transport).build();
            servers.put(id, server);
            machines.put(id, sm);
            transports.put(id, transport);
            server.start();
        }
    }

    private RaftServer awaitLeaderAmong(List<NodeId> candidates) {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader among " + candidates, WAIT, () -> {
            for (NodeId id : candidates) {
                RaftServer s = servers.get(id);
                if (s.status().role() == Role.LEADER) {
                    found[0] = s;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /**
     * Through a client session: a leader change on a loaded machine makes the session retry (each command still
     * applied exactly once, in order) instead of failing the test with an indeterminate outcome.
     */
    private static void submitAll(RaftServer server, int from, int to) throws Exception {
        try (ClientSession session = server.openSession().get(60, TimeUnit.SECONDS)) {
            List<CompletableFuture<byte[]>> futures = new ArrayList<>();
            for (int i = from; i < to; i++) {
                futures.add(session.submit(("cmd-" + i).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60)));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
        }
    }

    private void awaitAllApplied(List<NodeId> ids, int count) {
        Await.until("state machines of " + ids + " to apply " + count + " commands", WAIT,
                () -> ids.stream().allMatch(id -> machines.get(id).size() == count));
        List<String> reference = commands(ids.get(0));
        for (NodeId id : ids) {
            assertThat(commands(id)).as("state machine of %s", id).isEqualTo(reference);
        }
        for (int i = 0; i < count; i++) {
            assertThat(reference.get(i)).isEqualTo("cmd-" + i);
        }
    }

    private List<String> commands(NodeId id) {
        return machines.get(id).applied().stream().map(b -> new String(b, StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    @Test
    void aLeaderThatRemovesItselfCommitsTheChangeAndTheRestCarryOn() throws Exception {
        startCluster(id -> null);
        RaftServer leader = awaitLeaderAmong(IDS);
        submitAll(leader, 0, 50);
        List<NodeId> others = IDS.stream().filter(id -> !id.equals(leader.id())).toList();
        // The remaining members refuse nodes outside their configuration once they append it; the transport keeps
        // a member that left reachable for a grace period, so the removed leader still learns of the commit.
        Membership after = leader.changeMembership(others.stream().map(Member::of).toList(), List.of(),
                leader.status().membershipIndex()).get(30, TimeUnit.SECONDS);
        assertThat(after.voterIds()).containsExactlyInAnyOrderElementsOf(others);
        RaftServer next = awaitLeaderAmong(others);
        submitAll(next, 50, 100);
        awaitAllApplied(others, 100);
    }

    @Test
    void followersForwardSubmitsAndAMembershipChangeToTheLeaderOverTcp() throws Exception {
        startCluster(id -> null);
        RaftServer leader = awaitLeaderAmong(IDS);
        RaftServer follower = servers.values().stream().filter(s -> s != leader).findFirst().orElseThrow();
        Await.until("the follower to know the leader", WAIT, () -> leader.id().equals(follower.status().leader()));

        // Plain submits, not a session's: this is the forwarding of RaftServer.submit itself.
        List<CompletableFuture<byte[]>> forwarded = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            forwarded.add(follower.submit(("cmd-" + i).getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture.allOf(forwarded.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        awaitAllApplied(IDS, 200);
        Committed<byte[]> last = follower.submitCommitted("cmd-200".getBytes(StandardCharsets.UTF_8))
                .get(30, TimeUnit.SECONDS);
        assertThat(last.index()).isEqualTo(ByteBuffer.wrap(last.result()).getLong());
        awaitAllApplied(IDS, 201);

        Membership learnerless = follower.changeMembership(IDS.stream().map(Member::of).toList(), List.of(),
                follower.status().membershipIndex()).get(30, TimeUnit.SECONDS);
        assertThat(learnerless.voterIds()).containsExactlyInAnyOrderElementsOf(IDS);
    }

    @Test
    void electsReplicatesAndSurvivesTheLeadersTransportBeingClosedAndRestarted() throws Exception {
        startCluster(id -> null);
        RaftServer leader = awaitLeaderAmong(IDS);
        submitAll(leader, 0, 300);
        awaitAllApplied(IDS, 300);

        // Cut the leader off: the other two elect a new leader and keep committing.
        NodeId old = leader.id();
        transports.get(old).stop();
        List<NodeId> others = IDS.stream().filter(id -> !id.equals(old)).toList();
        RaftServer newLeader = awaitLeaderAmong(others);
        submitAll(newLeader, 300, 600);
        awaitAllApplied(others, 600);

        // Its transport back on the same port, the old leader rejoins as a follower and catches up.
        transports.get(old).restart();
        awaitAllApplied(IDS, 600);
        submitAll(awaitLeaderAmong(IDS), 600, 700);
        awaitAllApplied(IDS, 700);
    }

    @Test
    void badInputToRunningNodesClosesThoseConnectionsAndTheClusterStillCommits() throws Exception {
        startCluster(id -> null);
        RaftServer leader = awaitLeaderAmong(IDS);
        submitAll(leader, 0, 100);

        Random random = new Random(77);
        for (NodeId target : IDS) {
            InetSocketAddress address = addresses.get(target);
            byte[] junk = new byte[4096];
            random.nextBytes(junk);
            sendAndExpectClose(address, junk);
            sendAndExpectClose(address, frames(handshake("raft-over-netty", "n9", target.value())));
            sendAndExpectClose(address, frames(handshake("another-cluster", "n1", target.value())));
            byte[] oversized = new byte[1024];
            oversized[0] = 0x7f; // length prefix far above the maximum frame size
            sendAndExpectClose(address, oversized);
            // A truncated frame: the length promises more than ever arrives before we hang up.
            try (Socket s = new Socket()) {
                s.connect(address, 2000);
                new DataOutputStream(s.getOutputStream()).writeInt(1000);
                s.getOutputStream().write(new byte[10]);
            }
        }
        Await.until("every node to count the bad connections it closed", WAIT, () -> IDS.stream().allMatch(id -> {
            TransportStats s = transports.get(id).current().stats();
            return s.handshakesRefused() >= 2 && s.connectionsClosedOnError() >= 3;
        }));

        submitAll(awaitLeaderAmong(IDS), 100, 400);
        awaitAllApplied(IDS, 400);
    }

    @Test
    void mutualTlsClusterCommitsAndANodeWithAnUntrustedCertificateCannotJoin() throws Exception {
        TestPki pki = TestPki.authority(dir, "cluster");
        TestPki rogue = TestPki.authority(dir, "rogue");
        NodeId untrusted = IDS.get(2);
        Map<NodeId, TlsConfig> tls = new LinkedHashMap<>();
        for (NodeId id : IDS) {
            tls.put(id, id.equals(untrusted) ? rogue.nodeTrusting(id.value(), pki) : pki.node(id.value()));
        }
        startCluster(tls::get);
        List<NodeId> trusted = IDS.subList(0, 2);
        RaftServer leader = awaitLeaderAmong(trusted);
        submitAll(leader, 0, 300);
        awaitAllApplied(trusted, 300);

        assertThat(machines.get(untrusted).size()).isZero();
        assertThat(servers.get(untrusted).status().role()).isNotEqualTo(Role.LEADER);
        assertThat(transports.get(untrusted).current().stats().messagesReceived()).isZero();
        // The untrusted node connects once it campaigns (after its election timeout): each trusted node refuses it.
        Await.until("both trusted nodes to refuse the untrusted one", WAIT, () -> trusted.stream()
                .allMatch(id -> transports.get(id).current().stats().connectionsClosedOnError() > 0));
        assertThat(transports.get(untrusted).current().stats().messagesReceived()).isZero();
        assertThat(machines.get(untrusted).size()).isZero();
    }

    private static Envelope handshake(String cluster, String from, String to) {
        return Envelope.newBuilder().setClusterId(cluster).setFrom(from).setTo(to)
                .setHandshake(Handshake.newBuilder().setProtocolVersion(2)).build();
    }

    private static byte[] frames(Envelope... envelopes) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (Envelope e : envelopes) {
            byte[] body = e.toByteArray();
            out.writeInt(body.length);
            out.write(body);
        }
        return bytes.toByteArray();
    }

    private static void sendAndExpectClose(InetSocketAddress address, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(bytes);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            try {
                while (in.read(buf) >= 0) {
                    // Drain the refusal, if any, until the node hangs up.
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("node at " + address + " kept a bad connection open", e);
            } catch (IOException reset) {
                // Reset rather than FIN because our bytes were unread: closed all the same.
            }
        }
    }
}
