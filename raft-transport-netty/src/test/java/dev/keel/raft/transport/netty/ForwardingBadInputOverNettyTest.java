package dev.keel.raft.transport.netty;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.RaftServer;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad forwarded requests over real TCP: n1 and n2 are servers, n3 is a member whose transport the test drives by hand.
 * A forward of a kind the leader does not know, with a forged session id or with impossible sequence numbers gets a
 * typed refusal; nothing is applied; the connection carries the next request as before, and the cluster commits.
 */
class ForwardingBadInputOverNettyTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            .build();

    private final Map<NodeId, RaftServer> servers = new LinkedHashMap<>();
    private final Map<NodeId, RecordingStateMachine> machines = new LinkedHashMap<>();
    private NettyTransport fake;

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
        if (fake != null) {
            fake.close();
        }
    }

    private NettyTransportConfig config(NodeId id, Map<NodeId, InetSocketAddress> addresses) {
        return NettyTransportConfig.builder().selfId(id).clusterId("bad-forwards").members(addresses)
                .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(200)).ioThreads(1).build();
    }

    @Test
    void badForwardsGetTypedRefusalsNothingIsAppliedAndTheConnectionAndClusterCarryOn() throws Exception {
        Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
        IDS.forEach(id -> addresses.put(id, LoopbackPorts.freeAddress()));
        for (NodeId id : IDS.subList(0, 2)) {
            RecordingStateMachine sm = new RecordingStateMachine();
            RaftServer s = RaftServer.builder().id(id).members(IDS).config(CONFIG).stateMachine(sm)
                    .logStorage(InMemoryLogStorage.autoSync()).transport(new NettyTransport(config(id, addresses)))
                    .build();
            servers.put(id, s);
            machines.put(id, sm);
            s.start();
        }
        LinkedBlockingQueue<RaftMessage> inbox = new LinkedBlockingQueue<>();
        fake = new NettyTransport(config(IDS.get(2), addresses));
        fake.start(inbox::add);
        RaftServer leader = servers.get(servers.get(IDS.get(0)).awaitLeader(WAIT).leader());

        long[] requestId = {100};
        java.util.function.Function<ClientRequest, ForwardResponse> ask = request -> {
            long id = ++requestId[0];
            fake.send(new ForwardRequest(IDS.get(2), leader.id(), leader.status().term(), id, request));
            long deadline = System.nanoTime() + WAIT.toNanos();
            try {
                while (System.nanoTime() < deadline) {
                    RaftMessage m = inbox.poll(100, TimeUnit.MILLISECONDS);
                    if (m instanceof ForwardResponse r && r.requestId() == id) {
                        return r;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new AssertionError("no answer to " + request);
        };

        assertThat(ask.apply(new ClientRequest.Unsupported(0)).outcome())
                .isEqualTo(ForwardResponse.Outcome.UNSUPPORTED);
        assertThat(ask.apply(new ClientRequest.SessionCommand(987_654, 1, 0, bytes("forged id"))).outcome())
                .isEqualTo(ForwardResponse.Outcome.SESSION_EXPIRED);
        ForwardResponse opened = ask.apply(new ClientRequest.OpenSession());
        assertThat(opened.outcome()).isEqualTo(ForwardResponse.Outcome.OK);
        assertThat(ask.apply(new ClientRequest.SessionCommand(opened.index(), 0, 0, bytes("sequence 0"))).outcome())
                .isEqualTo(ForwardResponse.Outcome.SESSION_SEQUENCE);
        assertThat(ask.apply(new ClientRequest.SessionCommand(opened.index(), 50, 0, bytes("gap"))).outcome())
                .isEqualTo(ForwardResponse.Outcome.SESSION_OUT_OF_ORDER);
        // The same connection, right after: a good request goes through.
        ForwardResponse good = ask.apply(new ClientRequest.SessionCommand(opened.index(), 1, 0, bytes("good")));
        assertThat(good.outcome()).isEqualTo(ForwardResponse.Outcome.OK);

        long index = good.index();
        Await.until("both servers applied " + index, WAIT,
                () -> servers.values().stream().allMatch(s -> s.status().appliedIndex() >= index));
        for (RecordingStateMachine m : machines.values()) {
            assertThat(m.applied()).extracting(b -> new String(b, StandardCharsets.UTF_8)).containsExactly("good");
        }
        assertThat(leader.submit(bytes("after")).get(20, TimeUnit.SECONDS)).isNotEmpty();
        assertThat(servers.values()).noneMatch(RaftServer::isClosed);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
