package dev.keel.raft;

import dev.keel.raft.exception.ClusterChangeException;
import dev.keel.raft.testing.Await;
import dev.keel.raft.testing.InMemoryLogStorage;
import dev.keel.raft.testing.InMemoryNetwork;
import dev.keel.raft.testing.InMemorySnapshotStorage;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Growing, shrinking and replacing members, and handing over leadership, with real servers on real threads. */
class MembershipClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final RaftConfig CONFIG = RaftConfig.builder()
            .tickInterval(Duration.ofMillis(5))
            .heartbeatInterval(Duration.ofMillis(20))
            .electionTimeout(Duration.ofMillis(150), Duration.ofMillis(300))
            .snapshotInterval(300)
            .logRetention(50)
            .build();

    private final InMemoryNetwork network = new InMemoryNetwork();
    private final Map<NodeId, RaftServer> servers = new HashMap<>();
    private final Map<NodeId, RecordingStateMachine> machines = new HashMap<>();

    @AfterEach
    void closeAll() {
        servers.values().forEach(RaftServer::close);
    }

    private static Member member(String id) {
        return Member.of(NodeId.of(id));
    }

    private static List<Member> members(String... ids) {
        List<Member> out = new ArrayList<>();
        for (String id : ids) {
            out.add(member(id));
        }
        return out;
    }

    private void bootstrap(String id, String... voters) {
        start(NodeId.of(id), RaftServer.builder().initialMembership(Membership.ofVoters(members(voters))));
    }

    private void join(String id) {
        start(NodeId.of(id), RaftServer.builder().joining());
    }

    private void start(NodeId id, RaftServer.Builder builder) {
        RecordingStateMachine sm = new RecordingStateMachine();
        RaftServer s = builder.id(id).config(CONFIG).stateMachine(sm).logStorage(InMemoryLogStorage.autoSync())
                .snapshotStorage(new InMemorySnapshotStorage()).transport(network.transport(id)).build();
        servers.put(id, s);
        machines.put(id, sm);
        s.start();
    }

    private RaftServer leader() {
        RaftServer[] found = new RaftServer[1];
        Await.until("a leader", WAIT, () -> servers.values().stream().filter(s -> !s.isClosed())
                .filter(s -> s.status().isLeader()).findFirst().map(s -> found[0] = s).isPresent());
        return found[0];
    }

    private void submit(int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            byte[] c = ("c" + i).getBytes(StandardCharsets.UTF_8);
            for (int attempt = 0; ; attempt++) {
                try {
                    leader().submit(c).get(10, TimeUnit.SECONDS);
                    break;
                } catch (Exception e) {
                    if (attempt > 50) {
                        throw e;
                    }
                }
            }
        }
    }

    private Membership change(List<Member> voters, List<Member> learners) throws Exception {
        RaftServer l = leader();
        return l.changeMembership(voters, learners, l.status().membershipIndex()).get(30, TimeUnit.SECONDS);
    }

    private void awaitApplied(int n, String... ids) {
        for (String id : ids) {
            Await.until(id + " to apply " + n + " commands", WAIT, () -> machines.get(NodeId.of(id)).size() == n);
        }
        List<String> reference = strings(machines.get(NodeId.of(ids[0])));
        for (String id : ids) {
            assertThat(strings(machines.get(NodeId.of(id)))).as(id).isEqualTo(reference);
        }
    }

    private static List<String> strings(RecordingStateMachine sm) {
        return sm.applied().stream().map(b -> new String(b, StandardCharsets.UTF_8)).collect(Collectors.toList());
    }

    @Test
    void growsFrom3To5ReplacesAMemberShrinksBackTo3AndTransfersLeadership() throws Exception {
        for (String id : List.of("n1", "n2", "n3")) {
            bootstrap(id, "n1", "n2", "n3");
        }
        submit(0, 400);
        join("n4");
        join("n5");
        Membership five = change(members("n1", "n2", "n3", "n4", "n5"), List.of());
        assertThat(five.voterIds()).hasSize(5);
        submit(400, 500);
        awaitApplied(500, "n1", "n2", "n3", "n4", "n5");

        // Replace n2 (say its machine died) with a fresh n6.
        servers.remove(NodeId.of("n2")).close();
        join("n6");
        Membership replaced = change(members("n1", "n3", "n4", "n5", "n6"), List.of());
        assertThat(replaced.voterIds()).extracting(NodeId::value).containsExactlyInAnyOrder("n1", "n3", "n4", "n5",
                "n6");
        submit(500, 550);

        // Back to three voters, keeping n6 as a learner.
        Membership three = change(members("n3", "n4", "n6"), members("n5"));
        assertThat(three.voterIds()).extracting(NodeId::value).containsExactlyInAnyOrder("n3", "n4", "n6");
        submit(550, 600);
        awaitApplied(600, "n3", "n4", "n5", "n6");
        Await.until("removed n1 to know it is no longer a voter", WAIT,
                () -> !servers.get(NodeId.of("n1")).status().voters().contains(NodeId.of("n1")));

        // Hand leadership to a chosen voter.
        RaftServer l = leader();
        NodeId target = three.voterIds().stream().filter(id -> !id.equals(l.id())).findFirst().orElseThrow();
        l.transferLeadership(target).get(10, TimeUnit.SECONDS);
        assertThat(leader().id()).isEqualTo(target);
        submit(600, 610);
        awaitApplied(610, "n3", "n4", "n5", "n6");
    }

    @Test
    void aChangeComputedFromAStaleConfigurationIsRefused() throws Exception {
        for (String id : List.of("n1", "n2", "n3")) {
            bootstrap(id, "n1", "n2", "n3");
        }
        // A leader refuses changes (busy) until an entry of its term is committed; a committed command shows that.
        submit(0, 1);
        RaftServer l = leader();
        long index = l.status().membershipIndex();
        join("n4");
        l.changeMembership(members("n1", "n2", "n3"), members("n4"), index).get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> l.changeMembership(members("n1", "n2", "n3", "n4"), List.of(), index)
                .get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ClusterChangeException.class)
                .cause().satisfies(e -> assertThat(((ClusterChangeException) e).reason())
                        .isEqualTo(ClusterChangeException.Reason.CONFLICT));
    }
}
