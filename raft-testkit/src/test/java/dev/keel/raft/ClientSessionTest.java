package dev.keel.raft;

import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.SessionException;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.Transport;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client sessions on a real cluster: exactly once and in order across leader changes, typed errors for forged
 * session ids and sequence numbers (nothing applied), expiry by log time, a cap on sessions, and deadlines.
 */
class ClientSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final List<NodeId> IDS = List.of(N1, N2, N3);
    private static final RaftConfig CONFIG = RaftConfig.builder()
            // Patient enough that a loaded 2-core machine does not make a healthy leader look dead.
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            .sessionTimeout(Duration.ofMinutes(10))
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftServer> servers = new HashMap<>();
    private final Map<NodeId, RecordingStateMachine> machines = new HashMap<>();
    private final Map<NodeId, LogTimeTest.SettableClock> clocks = new HashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private RaftServer start(NodeId id, RaftConfig config) {
        RecordingStateMachine sm = new RecordingStateMachine();
        LogTimeTest.SettableClock clock = new LogTimeTest.SettableClock(1_800_000_000_000L);
        RaftServer server = RaftServer.builder()
                .id(id)
                .members(IDS)
                .config(config)
                .stateMachine(sm)
                .logStorage(InMemoryLogStorage.autoSync())
                .transport(network.transport(id))
                .clock(clock)
                .build();
        servers.put(id, server);
        machines.put(id, sm);
        clocks.put(id, clock);
        server.start();
        return server;
    }

    private RaftServer leader() {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader every running server knows", WAIT, () -> {
            for (RaftServer s : servers.values()) {
                if (!s.isClosed() && s.status().isLeader() && servers.values().stream().filter(o -> !o.isClosed())
                        .allMatch(o -> s.id().equals(o.status().leader()))) {
                    found[0] = s;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("no outcome within 30 s: " + e, e);
        }
        throw new AssertionError("expected a failure, got a result");
    }

    private static List<String> strings(List<byte[]> applied) {
        return applied.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void commandsOfASessionOnAFollowerApplyExactlyOnceInOrderAcrossLeaderChanges() throws Exception {
        for (NodeId id : IDS) {
            start(id, CONFIG);
        }
        RaftServer first = leader();
        RaftServer follower = servers.values().stream().filter(s -> s != first).findFirst().orElseThrow();
        ClientSession session = follower.openSession().get(20, TimeUnit.SECONDS);

        List<CompletableFuture<Committed<byte[]>>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            futures.add(session.submitCommitted(bytes("c" + i), Duration.ofSeconds(20)));
            if (i == 100 || i == 200) {
                // Hand leadership on while commands are in flight: forwards to the old leader fail and are retried.
                RaftServer leader = leader();
                NodeId next = IDS.stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
                leader.transferLeadership(next);
            }
        }
        long previous = 0;
        for (CompletableFuture<Committed<byte[]>> f : futures) {
            Committed<byte[]> c = f.get(30, TimeUnit.SECONDS);
            assertThat(c.index()).isGreaterThan(previous);
            previous = c.index();
        }
        long last = previous;
        Await.until("every replica applied " + last, WAIT,
                () -> servers.values().stream().allMatch(s -> s.status().appliedIndex() >= last));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            expected.add("c" + i);
        }
        for (NodeId id : IDS) {
            assertThat(strings(machines.get(id).applied())).as("commands applied on %s", id).isEqualTo(expected);
        }
    }

    @Test
    void aSessionSurvivesTheCrashOfTheLeaderItsCommandsWereForwardedTo() throws Exception {
        for (NodeId id : IDS) {
            start(id, CONFIG);
        }
        RaftServer leader = leader();
        RaftServer follower = servers.values().stream().filter(s -> s != leader).findFirst().orElseThrow();
        ClientSession session = follower.openSession().get(20, TimeUnit.SECONDS);
        List<CompletableFuture<Committed<byte[]>>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(session.submitCommitted(bytes("x" + i), Duration.ofSeconds(20)));
        }
        leader.close();
        for (int i = 50; i < 100; i++) {
            futures.add(session.submitCommitted(bytes("x" + i), Duration.ofSeconds(20)));
        }
        long last = 0;
        for (CompletableFuture<Committed<byte[]>> f : futures) {
            last = Math.max(last, f.get(30, TimeUnit.SECONDS).index());
        }
        long lastIndex = last;
        Await.until("the follower applied " + lastIndex, WAIT, () -> follower.status().appliedIndex() >= lastIndex);
        List<String> commands = strings(machines.get(follower.id()).applied());
        assertThat(commands).hasSize(100).doesNotHaveDuplicates();
        for (int i = 0; i < 100; i++) {
            assertThat(commands.get(i)).isEqualTo("x" + i);
        }
    }

    /** A member that is not a server: the test speaks the forwarding protocol by hand. */
    private static final class FakeMember {
        final NodeId id;
        final Transport transport;
        final LinkedBlockingQueue<RaftMessage> received = new LinkedBlockingQueue<>();
        long nextRequest = 1;

        FakeMember(InMemoryNetwork network, NodeId id) {
            this.id = id;
            this.transport = network.transport(id);
            transport.start(received::add);
        }

        ForwardResponse ask(RaftServer leader, ClientRequest request) throws InterruptedException {
            long requestId = nextRequest++;
            transport.send(new ForwardRequest(id, leader.id(), leader.status().term(), requestId, request));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                RaftMessage m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m instanceof ForwardResponse r && r.requestId() == requestId) {
                    return r;
                }
            }
            throw new AssertionError("no answer to " + request);
        }
    }

    private RaftServer twoServersAndAFakeN3() {
        start(N1, CONFIG);
        start(N2, CONFIG);
        RaftServer[] found = new RaftServer[1];
        Await.until("n1 or n2 to lead", WAIT, () -> servers.values().stream().filter(s -> s.status().isLeader())
                .findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }

    @Test
    void forgedSessionIdsAndSequenceNumbersGetTypedRefusalsAndNothingIsApplied() throws Exception {
        RaftServer leader = twoServersAndAFakeN3();
        FakeMember n3 = new FakeMember(network, N3);
        ForwardResponse opened = n3.ask(leader, new ClientRequest.OpenSession());
        assertThat(opened.outcome()).isEqualTo(ForwardResponse.Outcome.OK);
        long session = opened.index();

        ForwardResponse first = n3.ask(leader, new ClientRequest.SessionCommand(session, 1, 0, bytes("once")));
        ForwardResponse retried = n3.ask(leader, new ClientRequest.SessionCommand(session, 1, 0, bytes("once")));
        assertThat(first.outcome()).isEqualTo(ForwardResponse.Outcome.OK);
        assertThat(retried.outcome()).as("a retry returns the first result").isEqualTo(ForwardResponse.Outcome.OK);
        assertThat(retried.index()).isEqualTo(first.index());
        assertThat(retried.result()).isEqualTo(first.result());

        assertThat(n3.ask(leader, new ClientRequest.SessionCommand(session + 1000, 1, 0, bytes("forged id")))
                .outcome()).isEqualTo(ForwardResponse.Outcome.SESSION_EXPIRED);
        assertThat(n3.ask(leader, new ClientRequest.SessionCommand(session, 0, 0, bytes("sequence 0"))).outcome())
                .isEqualTo(ForwardResponse.Outcome.SESSION_SEQUENCE);
        assertThat(n3.ask(leader, new ClientRequest.SessionCommand(session, 9, 9, bytes("ack >= seq"))).outcome())
                .isEqualTo(ForwardResponse.Outcome.SESSION_SEQUENCE);
        assertThat(n3.ask(leader, new ClientRequest.SessionCommand(session, 1_000_000, 0, bytes("far ahead")))
                .outcome()).isEqualTo(ForwardResponse.Outcome.SESSION_OUT_OF_ORDER);
        assertThat(n3.ask(leader, new ClientRequest.KeepAlive(session + 1000, 0)).outcome())
                .isEqualTo(ForwardResponse.Outcome.SESSION_EXPIRED);
        // Acknowledged: its retry is refused, not applied again.
        assertThat(n3.ask(leader, new ClientRequest.SessionCommand(session, 2, 1, bytes("second"))).outcome())
                .isEqualTo(ForwardResponse.Outcome.OK);
        assertThat(n3.ask(leader, new ClientRequest.SessionCommand(session, 1, 1, bytes("once"))).outcome())
                .isEqualTo(ForwardResponse.Outcome.SESSION_SEQUENCE);

        long last = leader.status().lastLogIndex();
        Await.until("both servers applied " + last, WAIT,
                () -> servers.values().stream().allMatch(s -> s.status().appliedIndex() >= last));
        for (RecordingStateMachine m : machines.values()) {
            assertThat(strings(m.applied())).containsExactly("once", "second");
        }
        // The leader goes on serving.
        assertThat(leader.submit(bytes("after")).get(20, TimeUnit.SECONDS)).isNotEmpty();
    }

    @Test
    void aSessionExpiresByLogTimeAndThenRefusesWithATypedError() throws Exception {
        RaftConfig config = CONFIG.toBuilder().sessionTimeout(Duration.ofSeconds(60)).build();
        for (NodeId id : IDS) {
            start(id, config);
        }
        RaftServer leader = leader();
        ClientSession idle = leader.openSession().get(20, TimeUnit.SECONDS);
        idle.submit(bytes("before")).get(20, TimeUnit.SECONDS);
        ClientSession active = leader.openSession().get(20, TimeUnit.SECONDS);

        // Time passes on every clock, and the other session's commands carry the leader's time into the log: 50 s
        // (nothing expires), then 100 s (the idle session has had no request for more than its 60 s timeout).
        clocks.values().forEach(c -> c.millis.addAndGet(50_000));
        active.submit(bytes("50 s later")).get(20, TimeUnit.SECONDS);
        assertThat(idle.isClosed()).isFalse();
        clocks.values().forEach(c -> c.millis.addAndGet(50_000));
        active.submit(bytes("100 s later")).get(20, TimeUnit.SECONDS);

        Throwable t = failure(idle.submit(bytes("too late")));
        assertThat(t).isInstanceOf(SessionException.class);
        assertThat(((SessionException) t).reason()).isEqualTo(SessionException.Reason.EXPIRED);
        Await.until("the session to know it expired", WAIT, idle::isClosed);
        assertThat(strings(machines.get(leader.id()).applied())).containsExactly("before", "50 s later",
                "100 s later");
    }

    @Test
    void openingMoreSessionsThanMaxSessionsFailsWithATypedError() throws Exception {
        RaftConfig config = CONFIG.toBuilder().maxSessions(2).build();
        for (NodeId id : IDS) {
            start(id, config);
        }
        RaftServer leader = leader();
        ClientSession a = leader.openSession().get(20, TimeUnit.SECONDS);
        leader.openSession().get(20, TimeUnit.SECONDS);

        Throwable t = failure(leader.openSession());
        assertThat(t).isInstanceOf(SessionException.class).hasMessageContaining("maxSessions 2");
        assertThat(((SessionException) t).reason()).isEqualTo(SessionException.Reason.TOO_MANY_SESSIONS);

        a.closeAsync().get(20, TimeUnit.SECONDS);
        leader.openSession().get(20, TimeUnit.SECONDS);
    }

    @Test
    void aCommandThatCannotCommitBeforeItsDeadlineIsIndeterminateAndOneNeverSentIsNot() throws Exception {
        for (NodeId id : IDS) {
            start(id, CONFIG.toBuilder().checkQuorum(false).build());
        }
        RaftServer leader = leader();
        ClientSession session = leader.openSession().get(20, TimeUnit.SECONDS);
        network.isolate(leader.id());

        Throwable t = failure(session.submit(bytes("stuck"), Duration.ofMillis(300)));

        assertThat(t).isInstanceOf(IndeterminateOutcomeException.class).hasMessageContaining("deadline");

        // A server that never learns of a leader gives up on opening a session after the deadline: nothing was done.
        NodeId n4 = NodeId.of("n4");
        RaftServer lonely = RaftServer.builder().id(n4).members(n4, NodeId.of("n5"))
                .config(CONFIG.toBuilder().sessionDeadline(Duration.ofMillis(300)).build())
                .stateMachine(new RecordingStateMachine()).logStorage(InMemoryLogStorage.autoSync())
                .transport(new InMemoryNetwork().transport(n4)).build();
        servers.put(n4, lonely);
        lonely.start();
        assertThat(failure(lonely.openSession())).isInstanceOf(NotLeaderException.class);
    }

    @Test
    void resultsAreTheStateMachines() throws Exception {
        for (NodeId id : IDS) {
            start(id, CONFIG);
        }
        RaftServer leader = leader();
        try (ClientSession session = leader.openSession().get(20, TimeUnit.SECONDS)) {
            Committed<byte[]> c = session.submitCommitted(bytes("r"), Duration.ofSeconds(20)).get(20,
                    TimeUnit.SECONDS);
            assertThat(ByteBuffer.wrap(c.result()).getLong()).isEqualTo(c.index());
            assertThat(session.id()).isLessThan(c.index());
        }
    }
}
