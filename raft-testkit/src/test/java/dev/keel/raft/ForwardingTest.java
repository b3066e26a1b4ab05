package dev.keel.raft;

import dev.keel.raft.exception.ClusterChangeException;
import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.ServerBusyException;
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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Submits and administrative requests on any member: a follower forwards them to the leader over the transport,
 * fails them at once when leadership moves, bounds how many are out, and relays typed errors. The leader refuses
 * what it must not run: requests from strangers, of unknown kinds, for another term, and duplicates.
 */
class ForwardingTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final Membership MEMBERS = Membership.ofVoters(List.of(Member.of("n1", "10.0.0.1:7001"),
            Member.of("n2", "10.0.0.2:7002"), Member.of("n3", "10.0.0.3:7003")));
    private static final RaftConfig CONFIG = RaftConfig.builder()
            // Patient enough that a loaded 2-core machine does not make a healthy leader look dead.
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            // Long enough that no test here can pass by waiting it out.
            .forwardTimeout(Duration.ofHours(1))
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftServer> servers = new HashMap<>();
    private final Map<NodeId, RecordingStateMachine> machines = new HashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private RaftServer start(NodeId id, RaftConfig config) {
        RecordingStateMachine sm = new RecordingStateMachine();
        RaftServer server = RaftServer.builder()
                .id(id)
                .initialMembership(MEMBERS)
                .config(config)
                .stateMachine(sm)
                .logStorage(InMemoryLogStorage.autoSync())
                .transport(network.transport(id))
                .build();
        servers.put(id, server);
        machines.put(id, sm);
        server.start();
        return server;
    }

    private void startAll(RaftConfig config) {
        for (NodeId id : List.of(N1, N2, N3)) {
            start(id, config);
        }
    }

    private RaftServer leader() {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader every server knows", WAIT, () -> {
            for (RaftServer s : servers.values()) {
                if (s.status().isLeader() && servers.values().stream().allMatch(o -> s.id().equals(o.status().leader()))) {
                    found[0] = s;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private RaftServer aFollower(RaftServer leader) {
        return servers.values().stream().filter(s -> s != leader).findFirst().orElseThrow();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("no outcome within 20 s: " + e, e);
        }
        throw new AssertionError("expected a failure, got a result");
    }

    @Test
    void aFollowerForwardsASubmitAndRelaysTheResultAndTheIndexItWasCommittedAt() throws Exception {
        startAll(CONFIG);
        RaftServer leader = leader();
        RaftServer follower = aFollower(leader);

        Committed<byte[]> committed = follower.submitCommitted(new byte[]{42}).get(20, TimeUnit.SECONDS);

        assertThat(ByteBuffer.wrap(committed.result()).getLong()).as("RecordingStateMachine returns the index")
                .isEqualTo(committed.index());
        long index = committed.index();
        Await.until("every replica applied " + index, WAIT,
                () -> servers.values().stream().allMatch(s -> s.status().appliedIndex() >= index));
        for (RecordingStateMachine m : machines.values()) {
            assertThat(m.applied()).singleElement().isEqualTo(new byte[]{42});
        }
    }

    @Test
    void withForwardingOffAFollowerRefusesNamingTheLeaderAndItsAddress() {
        startAll(CONFIG.toBuilder().forwarding(false).build());
        RaftServer leader = leader();
        RaftServer follower = aFollower(leader);

        Throwable t = failure(follower.submit(new byte[]{1}));

        assertThat(t).isInstanceOf(NotLeaderException.class);
        NotLeaderException e = (NotLeaderException) t;
        assertThat(e.leader()).contains(leader.id());
        assertThat(e.leaderMember()).contains(MEMBERS.member(leader.id()).orElseThrow());
        assertThat(e.leaderMember().orElseThrow().address()).startsWith("10.0.0.");
        assertThat(machines.values()).allSatisfy(m -> assertThat(m.size()).isZero());
    }

    @Test
    void aForwardedSubmitFailsAsSoonAsTheFollowerLearnsOfANewLeaderWithoutWaitingOutItsTimeout() throws Exception {
        startAll(CONFIG);
        RaftServer oldLeader = leader();
        RaftServer follower = aFollower(oldLeader);
        NodeId third = servers.keySet().stream().filter(id -> !id.equals(oldLeader.id())
                && !id.equals(follower.id())).findFirst().orElseThrow();
        // The old leader hears the follower but reaches no one: the forwarded command can never commit.
        network.cut(oldLeader.id(), follower.id());
        network.cut(oldLeader.id(), third);
        CompletableFuture<byte[]> f = follower.submit(new byte[]{7});
        Await.until("the old leader to append the forwarded command", WAIT,
                () -> oldLeader.status().lastLogIndex() > oldLeader.status().commitIndex());

        // The follower and the third elect a new leader; the forward fails then, long before its one-hour timeout.
        Throwable t = failure(f);

        assertThat(t).isInstanceOf(IndeterminateOutcomeException.class).hasMessageContaining(oldLeader.id().value());
        assertThat(follower.status().leader()).isNotEqualTo(oldLeader.id());
    }

    @Test
    void forwardsInFlightToOneLeaderAreBoundedAndTheExtraOneFailsFastAsBusy() {
        startAll(CONFIG.toBuilder().maxInflightForwards(2).build());
        RaftServer leader = leader();
        RaftServer follower = aFollower(leader);
        // The leader's answers no longer reach the follower: forwards stay in flight.
        network.cut(leader.id(), follower.id());
        CompletableFuture<byte[]> first = follower.submit(new byte[]{1});
        CompletableFuture<byte[]> second = follower.submit(new byte[]{2});
        CompletableFuture<byte[]> third = follower.submit(new byte[]{3});

        assertThat(failure(third)).isInstanceOf(ServerBusyException.class).hasMessageContaining("maxInflightForwards");
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
    }

    @Test
    void aLeaderRunsAtMostMaxInflightForwardsFromOneMemberAndRefusesTheNextAsBusyAtOnce() throws Exception {
        RaftConfig config = CONFIG.toBuilder().maxInflightForwards(2).build();
        start(N1, config);
        start(N2, config);
        RaftServer leader = null;
        Await.until("n1 or n2 to lead", WAIT, () -> servers.values().stream().anyMatch(s -> s.status().isLeader()));
        for (RaftServer s : servers.values()) {
            if (s.status().isLeader()) {
                leader = s;
            }
        }
        RaftServer other = aFollower(leader);
        FakeMember n3 = new FakeMember(network, N3);
        long term = leader.status().term();
        // The leader reaches no one who answers: what n3 forwards is appended but stays in progress.
        network.cut(leader.id(), other.id());
        network.cut(other.id(), leader.id());

        for (long id = 1; id <= 3; id++) {
            n3.transport.send(new ForwardRequest(N3, leader.id(), term, id, new ClientRequest.Command(new byte[]{
                    (byte) id})));
        }

        ForwardResponse third = n3.answerTo(3);
        assertThat(third.outcome()).isEqualTo(ForwardResponse.Outcome.BUSY);
        assertThat(third.detail()).contains("maxInflightForwards");
        assertThat(n3.earlier).as("the first two are in progress, not refused").isEmpty();
        network.heal();
        // Once the leader commits again the first two complete; the third was never run.
        if (n3.answerTo(1).outcome() == ForwardResponse.Outcome.OK) {
            assertThat(n3.answerTo(2).outcome()).isEqualTo(ForwardResponse.Outcome.OK);
            RaftServer l = leader;
            Await.until("the leader applied both", WAIT, () -> machines.get(l.id()).size() == 2);
            assertThat(machines.get(l.id()).applied()).containsExactly(new byte[]{1}, new byte[]{2});
        }
        assertThat(machines.values()).allSatisfy(m -> assertThat(m.applied()).doesNotContain(new byte[]{3}));
    }

    @Test
    void membershipChangesAndLeadershipTransfersWorkThroughAFollower() throws Exception {
        startAll(CONFIG);
        RaftServer leader = leader();
        RaftServer follower = aFollower(leader);
        long index = follower.status().membershipIndex();

        Membership changed = follower.changeMembership(MEMBERS.voters(), List.of(), index + 999)
                .handle((m, e) -> m).get(20, TimeUnit.SECONDS);
        assertThat(changed).as("a change computed from a stale configuration").isNull();
        assertThat(failure(follower.changeMembership(MEMBERS.voters(), List.of(), index + 999)))
                .isInstanceOf(ClusterChangeException.class)
                .satisfies(e -> assertThat(((ClusterChangeException) e).reason())
                        .isEqualTo(ClusterChangeException.Reason.CONFLICT));

        follower.transferLeadership(follower.id()).get(20, TimeUnit.SECONDS);
        Await.until(follower.id() + " leads", WAIT, () -> follower.status().isLeader());
    }

    /** A member that is not a server: the test speaks the protocol through its transport by hand. */
    private static final class FakeMember {
        final Transport transport;
        final LinkedBlockingQueue<RaftMessage> received = new LinkedBlockingQueue<>();

        FakeMember(InMemoryNetwork network, NodeId id) {
            this.transport = network.transport(id);
            transport.start(received::add);
        }

        /** Answers to other requests that arrived while waiting for one, kept for whoever asks next. */
        final Map<Long, ForwardResponse> earlier = new HashMap<>();

        ForwardResponse answerTo(long requestId) throws InterruptedException {
            ForwardResponse kept = earlier.remove(requestId);
            if (kept != null) {
                return kept;
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                RaftMessage m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m instanceof ForwardResponse r) {
                    if (r.requestId() == requestId) {
                        return r;
                    }
                    earlier.put(r.requestId(), r);
                }
            }
            throw new AssertionError("no answer to request " + requestId);
        }

        /** Nothing answers {@code requestId} within a few heartbeats' worth of other traffic. */
        void expectNoAnswerTo(long requestId) throws InterruptedException {
            assertThat(earlier).as("answers received").doesNotContainKey(requestId);
            long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
            while (System.nanoTime() < deadline) {
                RaftMessage m = received.poll(50, TimeUnit.MILLISECONDS);
                if (m instanceof ForwardResponse r) {
                    if (r.requestId() == requestId) {
                        throw new AssertionError("unexpected answer " + r);
                    }
                    earlier.put(r.requestId(), r);
                }
            }
        }
    }

    /** n1 and n2 run; n3 is a hand-driven member. Returns the leader among n1 and n2. */
    private RaftServer twoServersAndAFakeMember() {
        start(N1, CONFIG);
        start(N2, CONFIG);
        RaftServer[] found = new RaftServer[1];
        Await.until("n1 or n2 to lead", WAIT, () -> servers.values().stream().filter(s -> s.status().isLeader())
                .findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }

    @Test
    void aForwardFromAServerOutsideTheConfigurationIsRefusedAndNothingIsApplied() throws Exception {
        RaftServer leader = twoServersAndAFakeMember();
        FakeMember stranger = new FakeMember(network, NodeId.of("n9"));
        long before = leader.status().lastLogIndex();

        stranger.transport.send(new ForwardRequest(NodeId.of("n9"), leader.id(), leader.status().term(), 1,
                new ClientRequest.Command(new byte[]{66})));

        ForwardResponse r = stranger.answerTo(1);
        assertThat(r.outcome()).isEqualTo(ForwardResponse.Outcome.NOT_A_MEMBER);
        assertThat(r.detail()).contains("n9 is not a member");
        assertThat(leader.status().lastLogIndex()).isEqualTo(before);
        // The leader goes on serving.
        leader.submit(new byte[]{1}).get(20, TimeUnit.SECONDS);
        assertThat(machines.get(leader.id()).applied()).containsExactly(new byte[]{1});
    }

    @Test
    void aForwardOfAnUnknownKindGetsATypedRefusalAndTheLeaderGoesOn() throws Exception {
        RaftServer leader = twoServersAndAFakeMember();
        FakeMember n3 = new FakeMember(network, N3);
        long before = leader.status().lastLogIndex();

        n3.transport.send(new ForwardRequest(N3, leader.id(), leader.status().term(), 5,
                new ClientRequest.Unsupported(42)));

        ForwardResponse r = n3.answerTo(5);
        assertThat(r.outcome()).isEqualTo(ForwardResponse.Outcome.UNSUPPORTED);
        assertThat(r.detail()).contains("kind 42");
        assertThat(leader.status().lastLogIndex()).isEqualTo(before);
        leader.submit(new byte[]{1}).get(20, TimeUnit.SECONDS);
    }

    @Test
    void aForwardForAnotherTermIsRefusedAsNotLeaderAndNothingIsApplied() throws Exception {
        RaftServer leader = twoServersAndAFakeMember();
        FakeMember n3 = new FakeMember(network, N3);
        long before = leader.status().lastLogIndex();

        n3.transport.send(new ForwardRequest(N3, leader.id(), leader.status().term() + 5, 6,
                new ClientRequest.Command(new byte[]{66})));

        assertThat(n3.answerTo(6).outcome()).isEqualTo(ForwardResponse.Outcome.NOT_LEADER);
        assertThat(leader.status().lastLogIndex()).isEqualTo(before);
        assertThat(leader.status().isLeader()).as("a forward's term deposes no one").isTrue();
    }

    @Test
    void aDuplicatedForwardIsRunOnceAndAnsweredOnce() throws Exception {
        RaftServer leader = twoServersAndAFakeMember();
        FakeMember n3 = new FakeMember(network, N3);
        ForwardRequest request = new ForwardRequest(N3, leader.id(), leader.status().term(), 77,
                new ClientRequest.Command(new byte[]{9}));

        n3.transport.send(request);
        n3.transport.send(request);

        ForwardResponse r = n3.answerTo(77);
        assertThat(r.outcome()).isEqualTo(ForwardResponse.Outcome.OK);
        n3.expectNoAnswerTo(77);
        n3.transport.send(request);
        n3.expectNoAnswerTo(77);
        assertThat(machines.get(leader.id()).applied()).containsExactly(new byte[]{9});
        assertThat(ByteBuffer.wrap(r.result()).getLong()).isEqualTo(r.index());
    }

    @Test
    void withNoLeaderKnownASubmitFailsAtOnceAsNotLeader() {
        RaftServer lonely = start(N1, CONFIG.toBuilder().electionTimeout(Duration.ofSeconds(30), Duration.ofSeconds(31))
                .build());
        Throwable t = failure(lonely.submit(new byte[]{1}));
        assertThat(t).isInstanceOf(NotLeaderException.class);
        assertThat(((NotLeaderException) t).leaderMember()).isEmpty();
    }
}
