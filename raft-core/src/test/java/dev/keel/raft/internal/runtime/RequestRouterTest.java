package dev.keel.raft.internal.runtime;

import dev.keel.raft.RaftConfig;
import dev.keel.raft.exception.ServerStoppedException;
import dev.keel.raft.internal.engine.ReadState;
import dev.keel.raft.internal.engine.Ready;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.ClientRequest;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.ForwardResponse.Outcome;
import dev.keel.raft.message.RaftMessage;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.keel.raft.internal.runtime.EngineFixture.N1;
import static dev.keel.raft.internal.runtime.EngineFixture.N2;
import static dev.keel.raft.internal.runtime.EngineFixture.N3;
import static dev.keel.raft.internal.runtime.EngineFixture.ONE;
import static dev.keel.raft.internal.runtime.EngineFixture.THREE;
import static org.assertj.core.api.Assertions.assertThat;

/** Where a request runs, against a real engine as leader, as a follower knowing the leader, and knowing none. */
class RequestRouterTest {
    private static final long NOW = 1_000;
    private static final byte[] CMD = {7, 7};

    private final RequestRegistry registry = new RequestRegistry(N1, 10, 10);
    private final List<RaftMessage> forwarded = new ArrayList<>();
    private final ArrayDeque<Runnable> callbacks = new ArrayDeque<>();
    private final List<Reply> replies = new ArrayList<>();
    private EngineFixture f;
    private Forwarder forwarder;

    private RequestRouter router(EngineFixture fixture) {
        f = fixture;
        RaftConfig config = f.engine.config();
        forwarder = new Forwarder(N1, config, forwarded::add, 100);
        return new RequestRouter(N1, config, f.engine, registry, forwarder,
                new RequestStamper(config, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), () -> 0),
                Telemetry.none(N1), callbacks::add);
    }

    private Reply onlyReply() {
        assertThat(replies).hasSize(1);
        return replies.get(0);
    }

    @Test
    void onTheLeaderACommandIsAppendedAndRegisteredUntilCommitted() {
        RequestRouter router = router(EngineFixture.leaderOfOne());
        long before = f.engine.log().lastIndex();
        router.route(new ClientRequest.Command(CMD), replies::add);

        long index = f.engine.log().lastIndex();
        assertThat(index).isEqualTo(before + 1);
        LogEntry appended = f.engine.log().entries(index, index + 1, Long.MAX_VALUE).get(0);
        assertThat(appended.type()).isEqualTo(EntryType.REQUEST);
        assertThat(appended.data()).isEqualTo(RequestEntry.command(NOW, CMD));
        assertThat(replies).as("answered only once applied").isEmpty();
        assertThat(forwarded).isEmpty();

        List<PendingProposal> mine = registry.committed(index);
        assertThat(mine).singleElement().satisfies(p -> {
            assertThat(p.index()).isEqualTo(index);
            assertThat(p.term()).isEqualTo(f.engine.term());
        });
        mine.get(0).done().accept(Reply.ok(index, new byte[]{1}));
        assertThat(onlyReply().index()).isEqualTo(index);
    }

    @Test
    void aCommandSubmittedHereCountsItsLatencyFromItsSubmission() {
        RequestRouter router = router(EngineFixture.leaderOfOne());
        router.route(new ClientRequest.Command(CMD), new Submitted(42, replies::add));
        assertThat(registry.committed(f.engine.log().lastIndex())).singleElement()
                .satisfies(p -> assertThat(p.submittedNanos()).isEqualTo(42));
    }

    @Test
    void aLeaderAtItsUncommittedLimitAnswersBusy() {
        RequestRouter router = router(EngineFixture.leaderOfOne(
                RaftConfig.builder().preVote(false).maxUncommittedEntries(1).build()));
        router.route(new ClientRequest.Command(CMD), replies::add);
        assertThat(replies).isEmpty();
        router.route(new ClientRequest.Command(CMD), replies::add);
        assertThat(onlyReply().outcome()).isEqualTo(Outcome.BUSY);
        assertThat(onlyReply().detail()).contains("maxUncommittedEntries");
        assertThat(registry.committed(Long.MAX_VALUE)).hasSize(1);
    }

    @Test
    void aFollowerThatKnowsTheLeaderForwardsToItWithItsTerm() {
        RequestRouter router = router(EngineFixture.followerOfN2(true));
        long logBefore = f.engine.log().lastIndex();
        ClientRequest.Command command = new ClientRequest.Command(CMD);
        router.route(command, replies::add);

        assertThat(forwarded).singleElement().isInstanceOfSatisfying(ForwardRequest.class, fr -> {
            assertThat(fr.from()).isEqualTo(N1);
            assertThat(fr.to()).isEqualTo(N2);
            assertThat(fr.term()).isEqualTo(1);
            assertThat(fr.request()).isSameAs(command);
        });
        assertThat(f.engine.log().lastIndex()).isEqualTo(logBefore);
        assertThat(replies).isEmpty();

        // The leader's answer reaches the caller through the callbacks executor, not on the event loop.
        ForwardRequest fr = (ForwardRequest) forwarded.get(0);
        forwarder.onResponse(new ForwardResponse(N2, N1, 1, fr.requestId(), Outcome.OK, 9, new byte[]{5}, N2, ""));
        assertThat(replies).isEmpty();
        assertThat(callbacks).hasSize(1);
        callbacks.poll().run();
        assertThat(onlyReply().isOk()).isTrue();
        assertThat(onlyReply().index()).isEqualTo(9);
    }

    @Test
    void withoutTheHopAForwardedAnswerIsHandedOnDirectly() {
        RequestRouter router = router(EngineFixture.followerOfN2(true));
        router.route(new ClientRequest.Command(CMD), replies::add, false);
        ForwardRequest fr = (ForwardRequest) forwarded.get(0);
        forwarder.onResponse(new ForwardResponse(N2, N1, 1, fr.requestId(), Outcome.OK, 9, new byte[]{5}, N2, ""));
        assertThat(callbacks).isEmpty();
        assertThat(onlyReply().isOk()).isTrue();
    }

    @Test
    void withForwardingOffAFollowerAnswersNotLeaderNamingTheLeader() {
        RequestRouter router = router(EngineFixture.followerOfN2(false));
        router.route(new ClientRequest.Command(CMD), replies::add);
        assertThat(forwarded).isEmpty();
        assertThat(onlyReply().outcome()).isEqualTo(Outcome.NOT_LEADER);
        assertThat(onlyReply().leader()).isEqualTo(N2);
        assertThat(onlyReply().detail()).contains(N1.toString());
    }

    @Test
    void withNoLeaderKnownAFollowerAnswersNotLeaderWithoutOne() {
        RequestRouter router = router(EngineFixture.followerWithoutLeader(true));
        router.route(new ClientRequest.TransferLeadership(N3), replies::add);
        assertThat(forwarded).isEmpty();
        assertThat(onlyReply().outcome()).isEqualTo(Outcome.NOT_LEADER);
        assertThat(onlyReply().leader()).isNull();
    }

    @Test
    void aRequestExecutedAfterLeadershipWasLostAnswersNotLeaderNamingTheNewLeader() {
        // ForwardedRequests executes what the leader was sent; by then this server may follow n2.
        RequestRouter router = router(EngineFixture.followerOfN2(true));
        router.execute(new ClientRequest.Command(CMD), replies::add);
        assertThat(onlyReply().outcome()).isEqualTo(Outcome.NOT_LEADER);
        assertThat(onlyReply().leader()).isEqualTo(N2);
        assertThat(forwarded).isEmpty();
    }

    @Test
    void aMembershipChangeBecomesAnAdminRequestAnsweredByTheEnginesResult() {
        RequestRouter router = router(EngineFixture.leaderOfOne());
        // The expected index is not the configuration's: the engine refuses it, in a later Ready, by the router's id.
        router.route(new ClientRequest.ChangeMembership(THREE, 999), replies::add);
        assertThat(replies).isEmpty();
        List<AdminResult> results = adminResults();
        assertThat(results).singleElement().satisfies(r -> assertThat(r.outcome())
                .isEqualTo(AdminResult.Outcome.CONFLICT));
        results.forEach(r -> registry.adminResult(r, f.engine.leader()));
        assertThat(onlyReply().outcome()).isEqualTo(Outcome.CONFLICT);
    }

    @Test
    void aLeadershipTransferBecomesAnAdminRequestAnsweredByTheEnginesResult() {
        RequestRouter router = router(EngineFixture.leaderOfOne());
        router.route(new ClientRequest.TransferLeadership(N3), replies::add);
        assertThat(replies).isEmpty();
        List<AdminResult> results = adminResults();
        assertThat(results).hasSize(1);
        results.forEach(r -> registry.adminResult(r, f.engine.leader()));
        assertThat(onlyReply().outcome()).isEqualTo(Outcome.INVALID);
        assertThat(onlyReply().detail()).contains(N3.toString());
    }

    @Test
    void whenTheServerStopsItsAdminRequestsAnswerStoppedAndItsCommandsIndeterminate() {
        RequestRouter router = router(EngineFixture.leaderOfOne());
        List<Reply> admin = new ArrayList<>();
        router.route(new ClientRequest.ChangeMembership(ONE, f.engine.membershipIndex()), admin::add);
        router.route(new ClientRequest.Command(CMD), replies::add);
        registry.failAll("n1 is closed", new ServerStoppedException("n1 is closed"));
        assertThat(admin).singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo(Outcome.STOPPED));
        assertThat(onlyReply().outcome()).isEqualTo(Outcome.INDETERMINATE);
    }

    @Test
    void aRequestOfAnUnknownKindIsUnsupported() {
        RequestRouter router = router(EngineFixture.leaderOfOne());
        router.route(new ClientRequest.Unsupported(99), replies::add);
        assertThat(onlyReply().outcome()).isEqualTo(Outcome.UNSUPPORTED);
    }

    @Test
    void aReadIsRegisteredAndTheEngineAnswersItsReadState() {
        RequestRouter router = router(EngineFixture.leaderOfOne());
        long id = registry.nextId();
        PendingQuery query = new PendingQuery(new byte[]{1}, new CompletableFuture<>());
        router.read(id, query);
        List<ReadState> states = new ArrayList<>();
        for (Ready rd : f.drain()) {
            states.addAll(rd.readStates());
        }
        assertThat(states).singleElement().satisfies(rs -> {
            assertThat(rs.requestId()).isEqualTo(id);
            assertThat(rs.readIndex()).isEqualTo(f.engine.log().commitIndex());
        });
        assertThat(registry.takeRead(id)).isSameAs(query);
    }

    private List<AdminResult> adminResults() {
        List<AdminResult> out = new ArrayList<>();
        for (Ready rd : f.drain()) {
            out.addAll(rd.adminResults());
        }
        return out;
    }
}
