package dev.keel.raft.internal.engine;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.Role;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.TimeoutNow;
import dev.keel.raft.message.VoteRequest;
import dev.keel.raft.testing.InMemoryLogStorage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static dev.keel.raft.internal.engine.EngineHarness.CONFIG;
import static dev.keel.raft.internal.engine.EngineHarness.N1;
import static dev.keel.raft.internal.engine.EngineHarness.N2;
import static dev.keel.raft.internal.engine.EngineHarness.N3;
import static dev.keel.raft.internal.engine.EngineHarness.N4;
import static dev.keel.raft.internal.engine.EngineHarness.N5;
import static dev.keel.raft.internal.engine.EngineHarness.NO_PREVOTE;
import static dev.keel.raft.internal.engine.EngineHarness.data;
import static dev.keel.raft.internal.engine.EngineHarness.ids;
import static dev.keel.raft.internal.engine.EngineHarness.membership;
import static dev.keel.raft.internal.engine.EngineHarness.ofType;
import static dev.keel.raft.internal.engine.EngineHarness.storage;
import static org.assertj.core.api.Assertions.assertThat;

/** Membership changes (thesis chapter 4) and leadership transfer (§3.10), one rule per test. */
class MembershipEngineTest {

    private static Member m(NodeId id) {
        return Member.of(id);
    }

    private static Membership voters(NodeId... ids) {
        return membership(List.of(ids));
    }

    /** n1..n3 are voters and n1 leads; n4 and n5 exist (joining: no configuration) and can be added. */
    private static EngineHarness clusterOf3With2Spares(RaftConfig config) {
        EngineHarness h = new EngineHarness();
        for (NodeId id : ids(3)) {
            h.add(id, ids(3), config, storage(0), id.hashCode());
        }
        for (NodeId id : List.of(N4, N5)) {
            RaftEngine e = new RaftEngine(id, null, config, storage(0), null, new SplittableRandom(id.hashCode()));
            h.engines.put(id, e);
            h.storages.put(id, storage(0));
            // replace the storage the engine was given with the harness's copy
        }
        h.campaign(N1);
        h.get(N1).tick();
        h.deliverAll();
        assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
        return h;
    }

    private static EngineHarness fresh(RaftConfig config) {
        EngineHarness h = new EngineHarness();
        for (NodeId id : ids(3)) {
            h.add(id, ids(3), config, storage(0), id.hashCode());
        }
        for (NodeId id : List.of(N4, N5)) {
            InMemoryLogStorage s = storage(0);
            h.engines.put(id, new RaftEngine(id, null, config, s, null, new SplittableRandom(id.hashCode())));
            h.storages.put(id, s);
        }
        h.campaign(N1);
        for (int i = 0; i < 3; i++) {
            h.get(N1).tick();
            h.deliverAll();
        }
        assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
        return h;
    }

    private static void settle(EngineHarness h, int ticks) {
        for (int i = 0; i < ticks; i++) {
            h.get(N1).tick();
            h.deliverAll();
        }
    }

    private static AdminResult change(EngineHarness h, Membership target) {
        RaftEngine leader = h.get(N1);
        int before = h.adminResults.size();
        leader.changeMembership(before + 100, target, leader.membershipIndex());
        for (int i = 0; i < 100 && h.adminResults.size() == before; i++) {
            h.deliverAll();
            leader.tick();
        }
        h.deliverAll();
        assertThat(h.adminResults).hasSizeGreaterThan(before);
        return h.adminResults.get(before);
    }

    @Test
    void aConfigurationEntryTakesEffectWhenAppendedAndRevertsWhenTruncated() {
        EngineHarness h = new EngineHarness();
        RaftEngine f = h.add(N2, ids(3), NO_PREVOTE, storage(1, 1), 2);
        Membership four = voters(N1, N2, N3, N4);
        f.step(new AppendEntriesRequest(N1, N2, 1, 1, 1, List.of(LogEntry.configuration(2, 1, four)), 1));
        assertThat(f.membership()).isEqualTo(four);
        assertThat(f.membershipIndex()).isEqualTo(2);
        assertThat(f.log().commitIndex()).as("not committed yet").isEqualTo(1);
        h.drain(N2);
        // A leader of term 2 overwrites index 2: the configuration entry is gone, and so is its effect.
        f.step(new AppendEntriesRequest(N3, N2, 2, 1, 1, List.of(LogEntry.command(2, 2, data("x"))), 1));
        assertThat(f.membership()).isEqualTo(voters(N1, N2, N3));
        assertThat(f.membershipIndex()).isZero();
    }

    @Test
    void aVoterIsAddedAsALearnerFirstThenPromotedThroughAJointConfiguration() {
        EngineHarness h = fresh(NO_PREVOTE);
        Membership target = voters(N1, N2, N3, N4);
        AdminResult r = change(h, target);
        assertThat(r.outcome()).isEqualTo(AdminResult.Outcome.SUCCESS);
        assertThat(r.membership()).isEqualTo(target);
        List<Membership> configs = h.log(N1).stream().filter(e -> e.type() == EntryType.CONFIGURATION)
                .map(e -> Membership.decode(e.data())).toList();
        assertThat(configs).hasSize(3);
        assertThat(configs.get(0).learnerIds()).containsExactly(N4);
        assertThat(configs.get(1).isJoint()).isTrue();
        assertThat(configs.get(1).outgoingVoterIds()).containsExactlyInAnyOrder(N1, N2, N3);
        assertThat(configs.get(2)).isEqualTo(target);
        for (NodeId id : ids(4)) {
            assertThat(h.get(id).membership()).as("configuration at %s", id).isEqualTo(target);
        }
        assertThat(h.log(N4)).isEqualTo(h.log(N1));
    }

    @Test
    void aLearnerReceivesTheLogButNeverVotesCampaignsOrCountsTowardCommitment() {
        EngineHarness h = fresh(NO_PREVOTE);
        Membership withLearner = Membership.of(List.of(m(N1), m(N2), m(N3)), List.of(m(N4)));
        assertThat(change(h, withLearner).outcome()).isEqualTo(AdminResult.Outcome.SUCCESS);
        RaftEngine leader = h.get(N1);
        // Only n1 and the learner hear anything: the entry must not commit.
        h.drop = m -> m.to().equals(N2) || m.to().equals(N3);
        long commit = leader.log().commitIndex();
        leader.propose(data("x"));
        h.deliverAll();
        assertThat(h.log(N4)).hasSize(h.log(N1).size());
        assertThat(leader.log().commitIndex()).isEqualTo(commit);
        // The learner never campaigns, however long it hears nothing.
        h.drop = m -> true;
        RaftEngine learner = h.get(N4);
        for (int i = 0; i < 10 * CONFIG.electionTimeoutMaxTicks(); i++) {
            learner.tick();
        }
        assertThat(learner.role()).isEqualTo(Role.FOLLOWER);
        assertThat(ofType(h.drain(N4), VoteRequest.class)).isEmpty();
    }

    @Test
    void duringAJointChangeACommitNeedsAMajorityOfBothOldAndNewVoters() {
        EngineHarness h = fresh(NO_PREVOTE);
        // Replace n2 and n3 by n4 and n5 with n4 and n5 already learners.
        assertThat(change(h, Membership.of(List.of(m(N1), m(N2), m(N3)), List.of(m(N4), m(N5)))).outcome())
                .isEqualTo(AdminResult.Outcome.SUCCESS);
        RaftEngine leader = h.get(N1);
        // Hold back everything to n2 and n3 (old majority needs one of them).
        h.drop = m -> m.to().equals(N2) || m.to().equals(N3);
        leader.changeMembership(7, voters(N1, N4, N5), leader.membershipIndex());
        h.deliverAll();
        assertThat(leader.membership().isJoint()).isTrue();
        long jointIndex = leader.membershipIndex();
        assertThat(leader.log().commitIndex()).as("new majority alone is not enough").isLessThan(jointIndex);
        h.drop = m -> false;
        settle(h, 5);
        assertThat(h.adminResults).last().satisfies(r -> assertThat(r.outcome())
                .isEqualTo(AdminResult.Outcome.SUCCESS));
        assertThat(leader.membership()).isEqualTo(voters(N1, N4, N5));
    }

    @Test
    void oneChangeAtATimeWithCompareAndSetOnTheConfigurationIndex() {
        EngineHarness h = fresh(NO_PREVOTE);
        RaftEngine leader = h.get(N1);
        long index = leader.membershipIndex();
        h.drop = m -> true;
        leader.changeMembership(1, Membership.of(List.of(m(N1), m(N2), m(N3)), List.of(m(N4))), index);
        leader.changeMembership(2, Membership.of(List.of(m(N1), m(N2), m(N3)), List.of(m(N5))), index);
        leader.changeMembership(3, Membership.of(List.of(m(N1), m(N2), m(N3)), List.of(m(N5))),
                leader.membershipIndex());
        h.deliverAll();
        assertThat(h.adminResults).extracting(AdminResult::requestId, AdminResult::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple(2L, AdminResult.Outcome.CONFLICT),
                org.assertj.core.groups.Tuple.tuple(3L, AdminResult.Outcome.BUSY));
    }

    @Test
    void aNewLeaderRefusesAChangeUntilItHasCommittedAnEntryOfItsTerm() {
        EngineHarness h = EngineHarness.cluster(3, NO_PREVOTE);
        h.drop = m -> m instanceof AppendEntriesRequest;
        h.campaign(N1);
        RaftEngine leader = h.get(N1);
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        leader.changeMembership(1, voters(N1, N2), leader.membershipIndex());
        h.deliverAll();
        assertThat(h.adminResults).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(AdminResult.Outcome.BUSY);
            assertThat(r.message()).contains("entry of its term");
        });
    }

    @Test
    void aRemovedLeaderManagesTheChangeUntilCommittedThenStepsDown() {
        EngineHarness h = fresh(NO_PREVOTE);
        AdminResult r = change(h, voters(N2, N3));
        assertThat(r.outcome()).isEqualTo(AdminResult.Outcome.SUCCESS);
        RaftEngine old = h.get(N1);
        assertThat(old.role()).isEqualTo(Role.FOLLOWER);
        assertThat(h.get(N2).membership()).isEqualTo(voters(N2, N3));
        // The rest elect a leader among themselves and keep committing.
        for (int i = 0; i < 200 && h.get(N2).role() != Role.LEADER && h.get(N3).role() != Role.LEADER; i++) {
            h.get(N2).tick();
            h.get(N3).tick();
            h.deliverAll();
        }
        RaftEngine next = h.get(N2).role() == Role.LEADER ? h.get(N2) : h.get(N3);
        assertThat(next.role()).isEqualTo(Role.LEADER);
        assertThat(old.role()).as("the removed server never campaigns").isEqualTo(Role.FOLLOWER);
    }

    @Test
    void aRemovedServerCannotDisruptTheCluster() {
        RaftConfig config = CONFIG;
        EngineHarness h = fresh(config);
        RaftEngine leader = h.get(N1);
        // n3 is cut off and misses its own removal.
        h.drop = m -> m.to().equals(N3) || m.from().equals(N3);
        leader.changeMembership(9, voters(N1, N2), leader.membershipIndex());
        settle(h, 10);
        assertThat(leader.membership()).isEqualTo(voters(N1, N2));
        long term = leader.term();
        // n3 comes back: it times out again and again and asks for (pre-)votes, in vain.
        h.drop = m -> false;
        for (int i = 0; i < 20 * config.electionTimeoutMaxTicks(); i++) {
            h.tickAll();
        }
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(leader.term()).isEqualTo(term);
        assertThat(h.get(N2).term()).isEqualTo(term);
    }

    @Test
    void promotingALearnerThatIsFarBehindWaitsForItToCatchUp() {
        RaftConfig config = NO_PREVOTE.toBuilder().catchUpTimeout(Duration.ofMillis(500)).build();
        EngineHarness h = fresh(config);
        RaftEngine leader = h.get(N1);
        // n4 becomes a learner while unreachable (an administrator added it before starting it).
        h.drop = m -> m.to().equals(N4);
        assertThat(change(h, Membership.of(List.of(m(N1), m(N2), m(N3)), List.of(m(N4)))).outcome())
                .isEqualTo(AdminResult.Outcome.SUCCESS);
        leader.changeMembership(6, voters(N1, N2, N3, N4), leader.membershipIndex());
        settle(h, 5);
        assertThat(leader.membership().isJoint()).as("no joint configuration with a voter that has nothing").isFalse();
        assertThat(leader.membership().voterIds()).containsExactlyInAnyOrder(N1, N2, N3);
        settle(h, config.electionTimeoutMaxTicks() + 60);
        assertThat(h.adminResults).last().satisfies(r -> assertThat(r.outcome())
                .isEqualTo(AdminResult.Outcome.TIMEOUT));
        assertThat(leader.membership().learnerIds()).containsExactly(N4);

        // Reachable again, it catches up and the same request now promotes it.
        h.drop = m -> false;
        settle(h, 5);
        assertThat(change(h, voters(N1, N2, N3, N4)).outcome()).isEqualTo(AdminResult.Outcome.SUCCESS);
        assertThat(leader.membership()).isEqualTo(voters(N1, N2, N3, N4));
        assertThat(h.get(N4).log().lastIndex()).isEqualTo(leader.log().lastIndex());
    }

    @Test
    void aChangeWhoseNewVotersDoNotCatchUpInTimeFailsAndLeavesThemLearners() {
        RaftConfig config = NO_PREVOTE.toBuilder().catchUpTimeout(Duration.ofMillis(500)).build();
        // n4 never answers: however short the log, it has not caught up.
        EngineHarness h = fresh(config);
        RaftEngine leader = h.get(N1);
        h.drop = m -> m.to().equals(N4);
        leader.changeMembership(5, voters(N1, N2, N3, N4), leader.membershipIndex());
        settle(h, config.electionTimeoutMaxTicks() + 60);
        assertThat(h.adminResults).last().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(AdminResult.Outcome.TIMEOUT);
            assertThat(r.message()).contains("n4");
        });
        assertThat(leader.membership().learnerIds()).containsExactly(N4);
        assertThat(leader.membership().voterIds()).containsExactlyInAnyOrder(N1, N2, N3);
    }

    @Test
    void theConfigurationIsCarriedInSnapshotsAndRestoredOnRestart() {
        Membership m = Membership.of(List.of(Member.of("n1", "h1:1"), Member.of("n2", "h2:2"), Member.of("n5", "")),
                List.of(Member.of("n4", "h4:4")));
        InMemoryLogStorage s = InMemoryLogStorage.autoSync();
        s.reset(11);
        RaftEngine e = new RaftEngine(N1, voters(N1, N2, N3), NO_PREVOTE, s, new SnapshotMetadata(10, 2, m, 7, 0, 0),
                new SplittableRandom(1));
        assertThat(e.membership()).isEqualTo(m);
        assertThat(e.membershipIndex()).isEqualTo(7);
        assertThat(e.voters()).containsExactlyInAnyOrder(N1, N2, N5);
    }

    @Test
    void leadershipIsHandedToAnUpToDateVoterWhichSkipsThePreVoteAndTheLease() {
        EngineHarness h = fresh(CONFIG);
        RaftEngine leader = h.get(N1);
        long term = leader.term();
        leader.transferLeadership(42, N3);
        assertThat(leader.propose(data("paused")).outcome()).isEqualTo(ProposeResult.Outcome.BUSY);
        List<RaftMessage> delivered = h.deliverAll();
        assertThat(ofType(delivered, TimeoutNow.class)).singleElement().satisfies(t -> assertThat(t.to())
                .isEqualTo(N3));
        assertThat(ofType(delivered, VoteRequest.class)).allSatisfy(v -> {
            assertThat(v.preVote()).isFalse();
            assertThat(v.transfer()).isTrue();
        });
        assertThat(h.get(N3).role()).isEqualTo(Role.LEADER);
        assertThat(h.get(N3).term()).isEqualTo(term + 1);
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        settle3(h);
        assertThat(h.adminResults).singleElement().satisfies(r -> {
            assertThat(r.requestId()).isEqualTo(42);
            assertThat(r.outcome()).isEqualTo(AdminResult.Outcome.SUCCESS);
        });
    }

    private static void settle3(EngineHarness h) {
        for (int i = 0; i < 5; i++) {
            h.tickAll();
        }
    }

    @Test
    void aTransferThatDoesNotSucceedWithinAnElectionTimeoutFailsAndProposalsResume() {
        EngineHarness h = fresh(CONFIG);
        RaftEngine leader = h.get(N1);
        h.drop = m -> m.to().equals(N3) || m.from().equals(N3);
        leader.transferLeadership(43, N3);
        for (int i = 0; i <= CONFIG.electionTimeoutMaxTicks(); i++) {
            leader.tick();
            h.deliverAll();
        }
        assertThat(h.adminResults).singleElement().satisfies(r -> assertThat(r.outcome())
                .isEqualTo(AdminResult.Outcome.TIMEOUT));
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(leader.propose(data("again")).outcome()).isEqualTo(ProposeResult.Outcome.APPENDED);
    }

    @Test
    void aNewLeaderFinishesAJointChangeItInherited() {
        EngineHarness h = fresh(NO_PREVOTE);
        RaftEngine leader = h.get(N1);
        assertThat(change(h, Membership.of(List.of(m(N1), m(N2), m(N3)), List.of(m(N4)))).outcome())
                .isEqualTo(AdminResult.Outcome.SUCCESS);
        // The joint entry reaches the followers, then the leader dies before it learns it committed.
        h.drop = m -> m.to().equals(N1);
        leader.changeMembership(11, voters(N1, N2, N4), leader.membershipIndex());
        h.deliverAll();
        assertThat(leader.membership().isJoint()).isTrue();
        long joint = leader.membershipIndex();
        // Let only the joint entry commit (deliver until then), then remove n1.
        h.engines.remove(N1);
        for (int i = 0; i < 300 && h.get(N2).role() != Role.LEADER; i++) {
            h.get(N2).tick();
            h.get(N3).tick();
            h.get(N4).tick();
            h.deliverAll();
        }
        RaftEngine next = h.engines.values().stream().filter(e -> e.role() == Role.LEADER).findFirst().orElseThrow();
        for (int i = 0; i < 10; i++) {
            next.tick();
            h.deliverAll();
        }
        assertThat(next.membership().isJoint()).isFalse();
        assertThat(next.membership().voterIds()).containsExactlyInAnyOrder(N1, N2, N4);
        assertThat(next.membershipIndex()).isGreaterThan(joint);
    }

    /**
     * Seed 1000925 of the simulator: voters {n1, n2} are being replaced by {n2, n3}. The joint configuration commits,
     * the leader n1 appends the final one and crashes before anyone else has it. n1's log is now the longest, so n2
     * and n3 cannot win the outgoing half {n1, n2} without n1's vote, and n1, not a voter of its newest
     * configuration, used never to campaign: no leader, forever. Thesis §4.2.2: a server left out of its newest
     * configuration still campaigns while that configuration may not be committed; it does not count its own vote.
     */
    @Test
    void aServerLeftOutOfItsNewestUncommittedConfigurationStillCampaignsSoTheChangeCanFinish() {
        RaftConfig config = CONFIG;
        EngineHarness h = new EngineHarness();
        List<NodeId> two = List.of(N1, N2);
        h.add(N1, two, config, storage(0), N1.hashCode());
        h.add(N2, two, config, storage(0), N2.hashCode());
        InMemoryLogStorage s3 = storage(0);
        h.engines.put(N3, new RaftEngine(N3, null, config, s3, null, new SplittableRandom(N3.hashCode())));
        h.storages.put(N3, s3);
        h.campaign(N1);
        settle(h, 3);
        RaftEngine leader = h.get(N1);
        assertThat(leader.role()).isEqualTo(Role.LEADER);

        Membership target = voters(N2, N3);
        // Nobody but n1 gets the final configuration entry.
        h.drop = m -> m.from().equals(N1) && m instanceof AppendEntriesRequest a && a.entries().stream()
                .anyMatch(e -> e.type() == EntryType.CONFIGURATION && Membership.decode(e.data()).equals(target));
        leader.changeMembership(7, target, leader.membershipIndex());
        for (int i = 0; i < 200 && !leader.membership().equals(target); i++) {
            settle(h, 1);
        }
        assertThat(leader.membership()).as("n1 appended the final configuration").isEqualTo(target);
        assertThat(h.get(N2).membership().isJoint()).as("n2 only has the joint one").isTrue();
        assertThat(h.get(N3).membership().isJoint()).isTrue();

        // n1 crashes and restarts from its disk; every message flows again.
        InMemoryLogStorage s1 = h.storages.get(N1);
        h.engines.put(N1, new RaftEngine(N1, membership(two), config, s1, null, new SplittableRandom(99)));
        h.drop = m -> false;
        RaftEngine n1 = h.get(N1);
        for (int i = 0; i < 40 * config.electionTimeoutMaxTicks(); i++) {
            h.tickAll();
            RaftEngine n2 = h.get(N2);
            RaftEngine n3 = h.get(N3);
            if ((n2.role() == Role.LEADER || n3.role() == Role.LEADER) && n2.membership().equals(target)
                    && n2.log().commitIndex() >= n2.membershipIndex()) {
                break;
            }
        }
        RaftEngine next = h.get(N2).role() == Role.LEADER ? h.get(N2) : h.get(N3);
        assertThat(next.role()).as("n2 or n3 leads once the change is finished").isEqualTo(Role.LEADER);
        assertThat(next.membership()).isEqualTo(target);
        assertThat(next.log().commitIndex()).isGreaterThanOrEqualTo(next.membershipIndex());
        assertThat(next.propose(data("after")).outcome()).isEqualTo(ProposeResult.Outcome.APPENDED);
        // Once n1 knows the change committed it is out for good: it neither leads nor campaigns again.
        for (int i = 0; i < 10 * config.electionTimeoutMaxTicks(); i++) {
            h.tickAll();
        }
        assertThat(n1.role()).isEqualTo(Role.FOLLOWER);
        assertThat(n1.log().commitIndex()).isGreaterThanOrEqualTo(next.membershipIndex());
    }
}
