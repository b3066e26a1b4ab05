package dev.keel.raft.internal.engine;

import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.VoteRequest;
import dev.keel.raft.message.VoteResponse;
import dev.keel.raft.testing.InMemoryLogStorage;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.keel.raft.internal.engine.EngineHarness.CONFIG;
import static dev.keel.raft.internal.engine.EngineHarness.N1;
import static dev.keel.raft.internal.engine.EngineHarness.N2;
import static dev.keel.raft.internal.engine.EngineHarness.N3;
import static dev.keel.raft.internal.engine.EngineHarness.N4;
import static dev.keel.raft.internal.engine.EngineHarness.N5;
import static dev.keel.raft.internal.engine.EngineHarness.NO_PREVOTE;
import static dev.keel.raft.internal.engine.EngineHarness.data;
import static dev.keel.raft.internal.engine.EngineHarness.ids;
import static dev.keel.raft.internal.engine.EngineHarness.ofType;
import static dev.keel.raft.internal.engine.EngineHarness.storage;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules of the Raft paper (Ongaro and Ousterhout, 2014), one test per stated rule, named after the section.
 * Pre-vote and CheckQuorum (thesis §9.6, §6.2) are off unless a test is about them, so that the paper's rules are
 * seen alone.
 */
class RaftPaperTest {

    /** A lone engine with peers that only exist as message addressees. */
    private static EngineHarness single(NodeId id, int clusterSize, InMemoryLogStorage storage) {
        EngineHarness h = new EngineHarness();
        h.add(id, ids(clusterSize), NO_PREVOTE, storage, 42);
        return h;
    }

    private static void tickUntilCampaign(RaftEngine e) {
        for (int i = 0; i < 100 && e.role() == Role.FOLLOWER; i++) {
            e.tick();
        }
        assertThat(e.role()).isNotEqualTo(Role.FOLLOWER);
    }

    /** Makes n1 the leader of a fresh n-server cluster and settles replication of its no-op. */
    private static EngineHarness clusterWithLeader(int n) {
        EngineHarness h = EngineHarness.cluster(n, NO_PREVOTE);
        h.campaign(N1);
        assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
        return h;
    }

    @Nested
    class Section5_1_Terms {

        @ParameterizedTest(name = "a {0} adopts a higher term from any message and becomes follower")
        @CsvSource({"FOLLOWER", "CANDIDATE", "LEADER"})
        void anyRoleAdoptsAHigherTermAndBecomesFollower(Role start) {
            EngineHarness h = clusterWithLeader(3);
            RaftEngine e;
            if (start == Role.LEADER) {
                e = h.get(N1);
            } else if (start == Role.CANDIDATE) {
                e = h.get(N2);
                h.drop = m -> true;
                tickUntilCampaign(e);
                h.drain(N2);
                assertThat(e.role()).isEqualTo(Role.CANDIDATE);
            } else {
                e = h.get(N2);
            }
            long higher = e.term() + 5;
            e.step(new HeartbeatResponse(N3, e.id(), higher, 0, 0));
            assertThat(e.term()).isEqualTo(higher);
            assertThat(e.role()).isEqualTo(Role.FOLLOWER);
            assertThat(e.votedFor()).isNull();
        }

        @Test
        void aServerStartsAsFollower() {
            EngineHarness h = EngineHarness.cluster(3, CONFIG);
            for (RaftEngine e : h.engines.values()) {
                assertThat(e.role()).isEqualTo(Role.FOLLOWER);
                assertThat(e.term()).isZero();
                assertThat(e.leader()).isNull();
            }
        }

        @Test
        void staleTermAppendEntriesIsRejectedWithTheCurrentTerm() {
            EngineHarness h = single(N2, 3, storage(5, 1, 2));
            RaftEngine e = h.get(N2);
            e.step(new AppendEntriesRequest(N1, N2, 4, 2, 2, List.of(LogEntry.command(3, 4, data("x"))), 3));
            List<AppendEntriesResponse> out = ofType(h.drain(N2), AppendEntriesResponse.class);
            assertThat(out).singleElement().satisfies(r -> {
                assertThat(r.success()).isFalse();
                assertThat(r.term()).isEqualTo(5);
            });
            assertThat(h.terms(N2)).containsExactly(1L, 2L);
            assertThat(e.leader()).isNull();
        }

        @Test
        void staleTermVoteRequestIsRejectedWithTheCurrentTerm() {
            EngineHarness h = single(N2, 3, storage(5));
            h.get(N2).step(new VoteRequest(N1, N2, 4, 10, 4, false));
            assertThat(ofType(h.drain(N2), VoteResponse.class)).singleElement()
                    .satisfies(r -> {
                        assertThat(r.granted()).isFalse();
                        assertThat(r.term()).isEqualTo(5);
                    });
            assertThat(h.get(N2).votedFor()).isNull();
        }

        @Test
        void aStaleLeaderStepsDownWhenAFollowerAnswersWithAHigherTerm() {
            EngineHarness h = clusterWithLeader(3);
            RaftEngine leader = h.get(N1);
            h.get(N2).step(new HeartbeatResponse(N3, N2, leader.term() + 1, 0, 0));
            h.drain(N2);
            leader.tick();
            h.deliverAll();
            assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
            assertThat(leader.term()).isEqualTo(h.get(N2).term());
        }
    }

    @Nested
    class Section5_2_LeaderElection {

        @Test
        void theLeaderBroadcastsHeartbeatsEveryHeartbeatInterval() {
            EngineHarness h = clusterWithLeader(3);
            RaftEngine leader = h.get(N1);
            for (int i = 0; i < CONFIG.heartbeatTicks(); i++) {
                leader.tick();
            }
            List<Heartbeat> beats = ofType(h.drain(N1), Heartbeat.class);
            assertThat(beats).extracting(Heartbeat::to).containsExactlyInAnyOrder(N2, N3);
            assertThat(beats).allSatisfy(b -> assertThat(b.term()).isEqualTo(leader.term()));
        }

        @Test
        void aFollowerStartsAnElectionAfterItsTimeout() {
            EngineHarness h = single(N1, 3, storage(3, 1, 2));
            RaftEngine e = h.get(N1);
            int timeout = e.electionTimeoutTicks();
            for (int i = 0; i < timeout - 1; i++) {
                e.tick();
            }
            assertThat(e.role()).isEqualTo(Role.FOLLOWER);
            e.tick();
            assertThat(e.role()).isEqualTo(Role.CANDIDATE);
            assertThat(e.term()).isEqualTo(4);
            assertThat(e.votedFor()).isEqualTo(N1);
            Ready rd = e.ready();
            assertThat(rd.hardState()).isEqualTo(new HardState(4, N1));
            // Vote requests wait for the vote for itself to be durable.
            assertThat(rd.messages()).isEmpty();
            assertThat(ofType(rd.persistBoundMessages(), VoteRequest.class)).extracting(VoteRequest::to)
                    .containsExactlyInAnyOrder(N2, N3);
        }

        @Test
        void refusingAVoteForANewerTermDoesNotRestartTheElectionTimer() {
            // Figure 2: the timer restarts on hearing from the current leader or on granting a vote. Candidates that
            // cannot win (a stale log, a removed server without PreVote) must not keep an electable follower from
            // ever campaigning by bumping the term every few ticks.
            EngineHarness h = single(N1, 3, storage(3, 1, 2));
            RaftEngine e = h.get(N1);
            int timeout = e.electionTimeoutTicks();
            for (int i = 0; i < timeout - 1; i++) {
                if (i % 3 == 0) {
                    e.step(new VoteRequest(N3, N1, e.term() + 1, 0, 0, false, false));
                    assertThat(ofType(h.drain(N1), VoteResponse.class)).singleElement()
                            .satisfies(r -> assertThat(r.granted()).as("vote for a stale log").isFalse());
                }
                e.tick();
            }
            assertThat(e.role()).isEqualTo(Role.FOLLOWER);
            e.tick();
            assertThat(e.role()).isEqualTo(Role.CANDIDATE);
        }

        @Test
        void aCandidateRestartsTheElectionWhenItsTimeoutPassesWithoutAWinner() {
            EngineHarness h = single(N1, 3, storage(0));
            RaftEngine e = h.get(N1);
            tickUntilCampaign(e);
            h.drain(N1);
            assertThat(e.term()).isEqualTo(1);
            for (int i = 0; i < 100 && e.term() == 1; i++) {
                e.tick();
            }
            assertThat(e.role()).isEqualTo(Role.CANDIDATE);
            assertThat(e.term()).isEqualTo(2);
            assertThat(ofType(h.drain(N1), VoteRequest.class)).extracting(VoteRequest::term).containsOnly(2L);
        }

        @ParameterizedTest(name = "{0} voters, {1} grant, {2} deny -> {3}")
        @CsvSource({
                "1, 0, 0, LEADER",
                "3, 1, 0, LEADER",
                "3, 1, 1, LEADER",
                "3, 0, 1, CANDIDATE",
                "3, 0, 2, FOLLOWER",
                "5, 2, 0, LEADER",
                "5, 1, 0, CANDIDATE",
                "5, 1, 2, CANDIDATE",
                "5, 0, 3, FOLLOWER",
                "5, 1, 3, FOLLOWER",
        })
        void theElectionOutcomeFollowsTheMajority(int voters, int grants, int denials, Role expected) {
            EngineHarness h = single(N1, voters, storage(0));
            RaftEngine e = h.get(N1);
            tickUntilCampaign(e);
            h.drain(N1);
            List<NodeId> others = ids(voters).subList(1, voters);
            int i = 0;
            for (; i < grants; i++) {
                e.step(new VoteResponse(others.get(i), N1, e.term(), true, false));
            }
            for (int j = 0; j < denials; j++, i++) {
                e.step(new VoteResponse(others.get(i), N1, e.term(), false, false));
            }
            assertThat(e.role()).isEqualTo(expected);
        }

        @Test
        void aServerVotesForAtMostOneCandidatePerTermAndPersistsTheVoteBeforeAnswering() {
            EngineHarness h = single(N1, 3, storage(0));
            RaftEngine e = h.get(N1);
            e.step(new VoteRequest(N2, N1, 1, 0, 0, false));
            Ready first = e.ready();
            assertThat(first.hardState()).isEqualTo(new HardState(1, N2));
            assertThat(first.messages()).isEmpty();
            assertThat(ofType(first.persistBoundMessages(), VoteResponse.class)).singleElement()
                    .satisfies(r -> assertThat(r.granted()).isTrue());

            e.step(new VoteRequest(N3, N1, 1, 0, 0, false));
            assertThat(ofType(e.ready().persistBoundMessages(), VoteResponse.class)).singleElement()
                    .satisfies(r -> assertThat(r.granted()).isFalse());
            // The same candidate asking again gets the same answer (a retransmission).
            e.step(new VoteRequest(N2, N1, 1, 0, 0, false));
            assertThat(ofType(e.ready().persistBoundMessages(), VoteResponse.class)).singleElement()
                    .satisfies(r -> assertThat(r.granted()).isTrue());
            assertThat(e.votedFor()).isEqualTo(N2);
        }

        @ParameterizedTest(name = "a candidate falls back to follower on AppendEntries of term +{0}")
        @CsvSource({"0", "1"})
        void aCandidateFallsBackOnAppendEntriesOfAnEqualOrHigherTerm(int plus) {
            EngineHarness h = single(N1, 3, storage(0));
            RaftEngine e = h.get(N1);
            tickUntilCampaign(e);
            h.drain(N1);
            long term = e.term() + plus;
            e.step(new AppendEntriesRequest(N2, N1, term, 0, 0, List.of(), 0));
            assertThat(e.role()).isEqualTo(Role.FOLLOWER);
            assertThat(e.term()).isEqualTo(term);
            assertThat(e.leader()).isEqualTo(N2);
            assertThat(ofType(h.drain(N1), AppendEntriesResponse.class)).singleElement()
                    .satisfies(r -> assertThat(r.success()).isTrue());
        }

        @Test
        void randomizedElectionTimeoutsSpreadOverTheConfiguredRange() {
            int min = CONFIG.electionTimeoutMinTicks();
            int max = CONFIG.electionTimeoutMaxTicks();
            Set<Integer> seen = new HashSet<>();
            for (long seed = 0; seed < 500; seed++) {
                EngineHarness h = new EngineHarness();
                RaftEngine e = h.add(N1, ids(3), CONFIG, storage(0), seed);
                int timeout = e.electionTimeoutTicks();
                assertThat(timeout).isGreaterThanOrEqualTo(min).isLessThan(max);
                seen.add(timeout);
            }
            assertThat(seen).as("distinct timeouts among 500 servers").hasSize(max - min);
        }

        @Test
        void aFreshClusterElectsExactlyOneLeader() {
            for (int n : new int[]{1, 3, 5}) {
                EngineHarness h = EngineHarness.cluster(n, CONFIG);
                for (int t = 0; t < 200 && h.engines.values().stream().noneMatch(e -> e.role() == Role.LEADER); t++) {
                    h.tickAll();
                }
                assertThat(h.engines.values()).filteredOn(e -> e.role() == Role.LEADER).as("leaders of %d", n)
                        .hasSize(1);
            }
        }
    }

    @Nested
    class Section5_3_LogReplication {

        @Test
        void theLeaderReplicatesAnEntryAndCommitsItOnceAMajorityHoldsIt() {
            EngineHarness h = clusterWithLeader(3);
            RaftEngine leader = h.get(N1);
            h.deliverAll();
            long noOp = leader.log().commitIndex();
            ProposeResult r = leader.propose(data("x"));
            assertThat(r.outcome()).isEqualTo(ProposeResult.Outcome.APPENDED);
            // Cut n3 off: n1 and n2 are a majority.
            h.drop = m -> m.to().equals(N3) || m.from().equals(N3);
            List<RaftMessage> sent = h.drain(N1);
            assertThat(ofType(sent, AppendEntriesRequest.class)).extracting(AppendEntriesRequest::to)
                    .contains(N2, N3);
            assertThat(leader.log().commitIndex()).isEqualTo(noOp);
            for (RaftMessage m : sent) {
                if (m.to().equals(N2)) {
                    h.get(N2).step(m);
                }
            }
            h.deliverAll();
            assertThat(leader.log().commitIndex()).isEqualTo(r.index());
            assertThat(h.applied).extracting(LogEntry::index).contains(r.index());
        }

        @Test
        void followersLearnTheCommitIndexAndApplyInOrder() {
            EngineHarness h = clusterWithLeader(3);
            RaftEngine leader = h.get(N1);
            for (int i = 0; i < 5; i++) {
                leader.propose(data("c" + i));
            }
            h.deliverAll();
            leader.tick();
            h.deliverAll();
            long commit = leader.log().commitIndex();
            assertThat(commit).isEqualTo(6);
            for (NodeId id : ids(3)) {
                assertThat(h.get(id).log().commitIndex()).isEqualTo(commit);
                assertThat(h.appliedBy.get(id)).extracting(LogEntry::index).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
                assertThat(h.appliedBy.get(id)).isEqualTo(h.appliedBy.get(N1));
            }
        }

        @Test
        void aNewLeaderCommitsEntriesOfEarlierTermsWithItsFirstEntry() {
            // n1 has entries of term 1 that were never committed; as leader of term 2 it commits them indirectly.
            EngineHarness h = new EngineHarness();
            h.add(N1, ids(3), NO_PREVOTE, storage(1, 1, 1, 1), 1);
            h.add(N2, ids(3), NO_PREVOTE, storage(1, 1), 2);
            h.add(N3, ids(3), NO_PREVOTE, storage(1), 3);
            h.campaign(N1);
            RaftEngine leader = h.get(N1);
            assertThat(leader.role()).isEqualTo(Role.LEADER);
            assertThat(leader.log().commitIndex()).isEqualTo(4);
            assertThat(h.terms(N2)).containsExactly(1L, 1L, 1L, 2L);
            assertThat(h.terms(N3)).containsExactly(1L, 1L, 1L, 2L);
        }

        @Test
        void aFollowerRejectsAppendEntriesWhosePreviousEntryDoesNotMatch() {
            EngineHarness h = single(N2, 3, storage(2, 1, 1, 2));
            RaftEngine e = h.get(N2);
            // Previous entry (3) has term 2 here, the leader says 3.
            e.step(new AppendEntriesRequest(N1, N2, 3, 3, 3, List.of(LogEntry.command(4, 3, data("x"))), 0));
            assertThat(ofType(h.drain(N2), AppendEntriesResponse.class)).singleElement().satisfies(r -> {
                assertThat(r.success()).isFalse();
                assertThat(r.index()).isEqualTo(3);
                assertThat(r.conflictTerm()).isEqualTo(2);
                assertThat(r.conflictIndex()).isEqualTo(3);
            });
            // Previous entry beyond our log: hint is our last index + 1.
            e.step(new AppendEntriesRequest(N1, N2, 3, 7, 3, List.of(), 0));
            assertThat(ofType(h.drain(N2), AppendEntriesResponse.class)).singleElement().satisfies(r -> {
                assertThat(r.success()).isFalse();
                assertThat(r.conflictTerm()).isZero();
                assertThat(r.conflictIndex()).isEqualTo(4);
            });
            assertThat(h.terms(N2)).containsExactly(1L, 1L, 2L);
        }

        @Test
        void aFollowerDeletesAConflictingEntryAndEverythingAfterIt() {
            EngineHarness h = single(N2, 3, storage(2, 1, 1, 2, 2, 2));
            RaftEngine e = h.get(N2);
            List<LogEntry> entries = List.of(LogEntry.command(3, 3, data("a")), LogEntry.command(4, 3, data("b")));
            e.step(new AppendEntriesRequest(N1, N2, 3, 2, 1, entries, 0));
            Ready rd = e.ready();
            assertThat(rd.firstIndex()).isEqualTo(3);
            assertThat(rd.entries()).isEqualTo(entries);
            assertThat(rd.messages()).isEmpty();
            assertThat(ofType(rd.persistBoundMessages(), AppendEntriesResponse.class)).singleElement()
                    .satisfies(r -> {
                        assertThat(r.success()).isTrue();
                        assertThat(r.index()).isEqualTo(4);
                    });
        }

        @Test
        void aDelayedShorterAppendEntriesNeverTruncatesMatchingEntries() {
            EngineHarness h = single(N2, 3, storage(3, 1, 1, 3, 3, 3));
            RaftEngine e = h.get(N2);
            e.step(new AppendEntriesRequest(N1, N2, 3, 2, 1, List.of(LogEntry.command(3, 3, data("e3@3"))), 0));
            Ready rd = e.ready();
            assertThat(rd.entries()).isEmpty();
            assertThat(e.log().lastIndex()).isEqualTo(5);
            assertThat(ofType(rd.persistBoundMessages(), AppendEntriesResponse.class)).singleElement()
                    .satisfies(r -> assertThat(r.index()).isEqualTo(3));
        }

        @Test
        void theLeaderSkipsAWholeConflictingTermUsingTheFollowersHint() {
            // Follower n2 has a long run of term-2 entries the leader never had.
            EngineHarness h = new EngineHarness();
            h.add(N1, ids(3), NO_PREVOTE, storage(3, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3), 1);
            h.add(N2, ids(3), NO_PREVOTE, storage(2, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2), 2);
            h.add(N3, ids(3), NO_PREVOTE, storage(3, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3), 3);
            h.campaign(N1);
            List<RaftMessage> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                h.get(N1).tick();
                all.addAll(h.deliverAll());
            }
            assertThat(h.terms(N2)).isEqualTo(h.terms(N1));
            long rejections = ofType(all, AppendEntriesResponse.class).stream()
                    .filter(r -> r.from().equals(N2) && !r.success()).count();
            // Without the hint this takes one rejection per conflicting entry (10); with it, a couple.
            assertThat(rejections).isLessThanOrEqualTo(2);
        }

        /** Figure 7: whatever a follower's log, the leader brings it back to its own. */
        @ParameterizedTest(name = "Figure 7 follower ({0})")
        @CsvSource(delimiter = ';', value = {
                "a; 1 1 1 4 4 5 5 6 6",
                "b; 1 1 1 4",
                "c; 1 1 1 4 4 5 5 6 6 6 6",
                "d; 1 1 1 4 4 5 5 6 6 6 7 7",
                "e; 1 1 1 4 4 4 4",
                "f; 1 1 1 2 2 2 3 3 3 3 3",
        })
        void figure7TheLeaderRepairsEveryFollowerLog(String name, String followerTerms) {
            long[] leaderTerms = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
            long[] follower = java.util.Arrays.stream(followerTerms.split(" ")).mapToLong(Long::parseLong).toArray();
            EngineHarness h = new EngineHarness();
            // The leader of term 8; n3 agrees with it so that it can win.
            h.add(N1, ids(3), NO_PREVOTE, storage(7, leaderTerms), 1);
            h.add(N2, ids(3), NO_PREVOTE, storage(7, follower), 2);
            h.add(N3, ids(3), NO_PREVOTE, storage(7, leaderTerms), 3);
            h.drop = m -> m.from().equals(N2) && m instanceof VoteResponse;
            h.campaign(N1);
            assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
            h.drop = m -> false;
            for (int i = 0; i < 20; i++) {
                h.get(N1).tick();
                h.deliverAll();
            }
            assertThat(h.log(N2)).isEqualTo(h.log(N1));
            assertThat(h.terms(N2)).hasSize(leaderTerms.length + 1).endsWith(8L);
        }
    }

    @Nested
    class Section5_4_Safety {

        @Test
        void aVoteRequestCarriesTheCandidatesLastLogIndexAndTerm() {
            EngineHarness h = single(N1, 3, storage(3, 1, 2, 3));
            tickUntilCampaign(h.get(N1));
            assertThat(ofType(h.drain(N1), VoteRequest.class)).hasSize(2).allSatisfy(v -> {
                assertThat(v.lastLogIndex()).isEqualTo(3);
                assertThat(v.lastLogTerm()).isEqualTo(3);
            });
        }

        @ParameterizedTest(name = "candidate last {0}@{1} vs voter log (1 2 2): granted={2}")
        @CsvSource({
                "3, 2, true",
                "4, 2, true",
                "2, 2, false",
                "1, 3, true",
                "5, 1, false",
                "0, 0, false",
        })
        void aVoterRejectsACandidateWhoseLogIsLessUpToDate(long lastIndex, long lastTerm, boolean granted) {
            EngineHarness h = single(N2, 3, storage(3, 1, 2, 2));
            h.get(N2).step(new VoteRequest(N1, N2, 4, lastIndex, lastTerm, false));
            assertThat(ofType(h.drain(N2), VoteResponse.class)).singleElement()
                    .satisfies(r -> assertThat(r.granted()).isEqualTo(granted));
        }

        /**
         * Figure 8: S1, leader of term 4, has replicated its term-2 entry at index 2 to a majority. It must not
         * count that as committed: S5 could still win term 5 and overwrite it. Only when an entry of term 4 is on
         * a majority do both commit.
         */
        @Test
        void figure8AnEntryOfAnEarlierTermIsNotCommittedByCountingReplicas() {
            EngineHarness h = new EngineHarness();
            // After (b)-(c): S1 has 1 2 and is about to lead term 4; S2 has 1 2; S3 has 1; S4 has 1; S5 has 1 3.
            h.add(N1, ids(5), NO_PREVOTE, storage(3, 1, 2), 1);
            h.add(N2, ids(5), NO_PREVOTE, storage(3, 1, 2), 2);
            h.add(N3, ids(5), NO_PREVOTE, storage(3, 1), 3);
            h.add(N4, ids(5), NO_PREVOTE, storage(3, 1), 4);
            h.add(N5, ids(5), NO_PREVOTE, storage(3, 1, 3), 5);
            h.drop = m -> m.to().equals(N5) || m.from().equals(N5);
            RaftEngine s1 = h.get(N1);
            tickUntilCampaign(s1);
            // Deliver votes, but hold every AppendEntries that carries the term-4 no-op.
            h.drop = m -> m.to().equals(N5) || m.from().equals(N5) || m instanceof AppendEntriesRequest;
            h.deliverAll();
            assertThat(s1.role()).isEqualTo(Role.LEADER);
            assertThat(s1.term()).isEqualTo(4);
            // S1 replicates index 2 (term 2) to S3: now on a majority (S1, S2, S3), but not committable.
            s1.step(new AppendEntriesResponse(N2, N1, 4, true, 2, 0, 0));
            s1.step(new AppendEntriesResponse(N3, N1, 4, true, 2, 0, 0));
            h.drain(N1);
            assertThat(s1.log().commitIndex()).as("term-2 entry on a majority must not commit").isLessThan(2);
            // Once the term-4 no-op at index 3 is on a majority, everything up to it commits.
            s1.step(new AppendEntriesResponse(N2, N1, 4, true, 3, 0, 0));
            h.drain(N1);
            assertThat(s1.log().commitIndex()).as("no-op on S1 and S2 only").isLessThan(2);
            s1.step(new AppendEntriesResponse(N3, N1, 4, true, 3, 0, 0));
            h.drain(N1);
            assertThat(s1.log().commitIndex()).isEqualTo(3);
        }
    }

    @Nested
    class PreVoteAndCheckQuorum {

        private EngineHarness healthyClusterWithLeader() {
            EngineHarness h = EngineHarness.cluster(3, CONFIG);
            h.campaign(N1);
            assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
            return h;
        }

        @Test
        void aPartitionedServerDoesNotRaiseItsTermAndDoesNotDeposeTheLeaderWhenItRejoins() {
            EngineHarness h = healthyClusterWithLeader();
            long term = h.get(N1).term();
            h.drop = m -> m.to().equals(N3) || m.from().equals(N3);
            for (int i = 0; i < 500; i++) {
                h.tickAll();
            }
            // Pre-votes failed, so n3 never started a real election.
            assertThat(h.get(N3).term()).isEqualTo(term);
            assertThat(h.get(N3).role()).isIn(Role.FOLLOWER, Role.PRE_CANDIDATE);
            h.drop = m -> false;
            for (int i = 0; i < 50; i++) {
                h.tickAll();
            }
            assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
            assertThat(h.get(N1).term()).isEqualTo(term);
            assertThat(h.get(N3).leader()).isEqualTo(N1);
        }

        @Test
        void votersThatHeardFromALiveLeaderIgnoreAHigherTermVoteRequest() {
            EngineHarness h = healthyClusterWithLeader();
            RaftEngine follower = h.get(N2);
            long term = follower.term();
            // A disruptive server (without pre-vote, say) asks for votes in a much higher term.
            follower.step(new VoteRequest(N3, N2, term + 10, 100, term, false));
            h.get(N1).step(new VoteRequest(N3, N1, term + 10, 100, term, false));
            assertThat(ofType(h.drain(N2), VoteResponse.class)).isEmpty();
            assertThat(ofType(h.drain(N1), VoteResponse.class)).isEmpty();
            assertThat(follower.term()).isEqualTo(term);
            assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
        }

        @Test
        void preVoteIsGrantedWithoutAnyoneChangingTerm() {
            EngineHarness h = EngineHarness.cluster(3, CONFIG);
            RaftEngine n1 = h.get(N1);
            for (int i = 0; i < 100 && n1.role() == Role.FOLLOWER; i++) {
                n1.tick();
            }
            assertThat(n1.role()).isEqualTo(Role.PRE_CANDIDATE);
            assertThat(n1.term()).isZero();
            List<VoteRequest> pre = ofType(h.drain(N1), VoteRequest.class);
            assertThat(pre).allSatisfy(v -> {
                assertThat(v.preVote()).isTrue();
                assertThat(v.term()).isEqualTo(1);
            });
            h.get(N2).step(pre.get(0).to().equals(N2) ? pre.get(0) : pre.get(1));
            assertThat(h.get(N2).term()).isZero();
            assertThat(h.get(N2).votedFor()).isNull();
            List<VoteResponse> answer = ofType(h.drain(N2), VoteResponse.class);
            assertThat(answer).singleElement().satisfies(r -> assertThat(r.granted()).isTrue());
            n1.step(answer.get(0));
            assertThat(n1.role()).isEqualTo(Role.CANDIDATE);
            assertThat(n1.term()).isEqualTo(1);
        }

        @Test
        void aLeaderCutOffFromTheMajorityStepsDown() {
            EngineHarness h = healthyClusterWithLeader();
            RaftEngine leader = h.get(N1);
            h.drop = m -> m.from().equals(N1) || m.to().equals(N1);
            for (int i = 0; i < 3 * CONFIG.electionTimeoutMinTicks(); i++) {
                leader.tick();
                h.deliverAll();
            }
            assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
            assertThat(leader.leader()).isNull();
        }

        @Test
        void aLeaderHearingFromTheMajorityKeepsLeading() {
            EngineHarness h = healthyClusterWithLeader();
            for (int i = 0; i < 5 * CONFIG.electionTimeoutMaxTicks(); i++) {
                h.tickAll();
            }
            assertThat(h.get(N1).role()).isEqualTo(Role.LEADER);
        }
    }

    @Nested
    class Proposals {

        @Test
        void aFollowerRefusesProposalsNamingTheLeader() {
            EngineHarness h = clusterWithLeader(3);
            h.deliverAll();
            ProposeResult r = h.get(N2).propose(data("x"));
            assertThat(r.outcome()).isEqualTo(ProposeResult.Outcome.NOT_LEADER);
            assertThat(r.leader()).isEqualTo(N1);
        }

        @Test
        void theLeaderRefusesProposalsBeyondTheUncommittedLimit() {
            EngineHarness h = new EngineHarness();
            var config = NO_PREVOTE.toBuilder().maxUncommittedEntries(3).build();
            for (NodeId id : ids(3)) {
                h.add(id, ids(3), config, storage(0), id.hashCode());
            }
            h.campaign(N1);
            RaftEngine leader = h.get(N1);
            h.drop = m -> true;
            List<ProposeResult> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(leader.propose(data("p" + i)));
            }
            assertThat(results).extracting(ProposeResult::outcome).containsExactly(ProposeResult.Outcome.APPENDED,
                    ProposeResult.Outcome.APPENDED, ProposeResult.Outcome.APPENDED, ProposeResult.Outcome.BUSY);
        }

        @Test
        void aSingleServerCommitsOnceItsOwnWriteIsDurable() {
            EngineHarness h = new EngineHarness();
            InMemoryLogStorage s = InMemoryLogStorage.manualSync();
            RaftEngine e = h.add(N1, List.of(N1), CONFIG, s, 1);
            for (int i = 0; i < 100 && e.role() != Role.LEADER; i++) {
                e.tick();
            }
            assertThat(e.role()).isEqualTo(Role.LEADER);
            ProposeResult r = e.propose(data("x"));
            Ready rd = e.ready();
            s.saveHardState(rd.hardState());
            s.append(rd.entries());
            assertThat(e.ready().committedEntries()).isEmpty();
            assertThat(e.log().commitIndex()).isZero();
            s.syncAll();
            e.persisted(r.index(), r.term());
            assertThat(e.log().commitIndex()).isEqualTo(r.index());
            assertThat(e.ready().committedEntries()).extracting(LogEntry::type)
                    .containsExactly(EntryType.NO_OP, EntryType.COMMAND);
        }
    }
}
