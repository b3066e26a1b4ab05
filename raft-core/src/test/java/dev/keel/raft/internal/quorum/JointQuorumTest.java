package dev.keel.raft.internal.quorum;

import dev.keel.raft.NodeId;
import dev.keel.raft.internal.quorum.Majority.VoteResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Joint consensus arithmetic (thesis §4.3): with outgoing voters, every decision needs a majority of the incoming
 * voters and, separately, of the outgoing ones.
 */
class JointQuorumTest {
    private static final String SEED_PROPERTY = "keel.quorum.seed";
    private static final Set<NodeId> NONE = Set.of();
    private static final Set<NodeId> ABC = ids("a", "b", "c");
    private static final Set<NodeId> CDE = ids("c", "d", "e");

    private static long seed;

    @BeforeAll
    static void chooseSeed() {
        String fixed = System.getProperty(SEED_PROPERTY);
        seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : new SplittableRandom().nextLong();
        System.out.println("JointQuorumTest seed=" + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + ")");
    }

    private static Set<NodeId> ids(String... names) {
        Set<NodeId> out = new TreeSet<>();
        for (String n : names) {
            out.add(NodeId.of(n));
        }
        return out;
    }

    private static Map<NodeId, Long> match(Object... idThenIndex) {
        Map<NodeId, Long> m = new HashMap<>();
        for (int i = 0; i < idThenIndex.length; i += 2) {
            m.put(NodeId.of((String) idThenIndex[i]), ((Number) idThenIndex[i + 1]).longValue());
        }
        return m;
    }

    private static Map<NodeId, Boolean> votes(String granted, String denied) {
        Map<NodeId, Boolean> v = new HashMap<>();
        granted.chars().forEach(c -> v.put(NodeId.of(String.valueOf((char) c)), true));
        denied.chars().forEach(c -> v.put(NodeId.of(String.valueOf((char) c)), false));
        return v;
    }

    private static long committed(Set<NodeId> voters, Set<NodeId> outgoing, Map<NodeId, Long> match) {
        return JointQuorum.committedIndex(voters, outgoing, id -> match.getOrDefault(id, 0L));
    }

    @Test
    void withoutOutgoingVotersTheCommittedIndexIsTheOneAMajorityHasReached() {
        assertThat(committed(ABC, NONE, match("a", 9, "b", 5, "c", 2))).isEqualTo(5);
        assertThat(committed(ids("a"), NONE, match("a", 4))).isEqualTo(4);
    }

    @Test
    void duringAJointChangeAnEntryCommitsOnlyOnceTheOutgoingMajorityHasItToo() {
        // a, b (old only) are ahead; d, e (new only) are behind; c is in both.
        Map<NodeId, Long> m = match("a", 9, "b", 9, "c", 7, "d", 3, "e", 2);
        assertThat(committed(ABC, NONE, m)).isEqualTo(9);
        assertThat(committed(CDE, NONE, m)).isEqualTo(3);
        assertThat(committed(CDE, ABC, m)).as("incoming majority lags").isEqualTo(3);
    }

    @Test
    void duringAJointChangeAnEntryCommitsOnlyOnceTheIncomingMajorityHasItToo() {
        Map<NodeId, Long> m = match("a", 1, "b", 2, "c", 6, "d", 8, "e", 8);
        assertThat(committed(CDE, NONE, m)).isEqualTo(8);
        assertThat(committed(CDE, ABC, m)).as("outgoing majority lags").isEqualTo(2);
    }

    @Test
    void aServerInBothConfigurationsCountsTowardsBothMajorities() {
        Map<NodeId, Long> m = match("a", 5, "c", 5, "d", 5);
        assertThat(committed(CDE, ABC, m)).isEqualTo(5);
    }

    @Test
    void aConfigurationWithoutVotersIsAnError() {
        assertThatThrownBy(() -> committed(NONE, NONE, Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutOutgoingVotersTheElectionIsDecidedByTheVotersAlone() {
        assertThat(JointQuorum.tally(ABC, NONE, votes("ab", ""))).isEqualTo(VoteResult.WON);
        assertThat(JointQuorum.tally(ABC, NONE, votes("a", "b"))).isEqualTo(VoteResult.PENDING);
        assertThat(JointQuorum.tally(ABC, NONE, votes("a", "bc"))).isEqualTo(VoteResult.LOST);
    }

    @Test
    void aJointElectionIsWonOnlyWhenBothMajoritiesGrant() {
        assertThat(JointQuorum.tally(CDE, ABC, votes("cde", ""))).as("new won, old pending").isEqualTo(VoteResult.PENDING);
        assertThat(JointQuorum.tally(CDE, ABC, votes("abc", ""))).as("old won, new pending").isEqualTo(VoteResult.PENDING);
        assertThat(JointQuorum.tally(CDE, ABC, votes("acd", ""))).as("c counts in both").isEqualTo(VoteResult.WON);
    }

    @Test
    void aJointElectionIsLostAsSoonAsEitherMajorityCanNoLongerGrant() {
        assertThat(JointQuorum.tally(CDE, ABC, votes("cd", "ab"))).as("new won, old lost").isEqualTo(VoteResult.LOST);
        assertThat(JointQuorum.tally(CDE, ABC, votes("ab", "de"))).as("old won, new lost").isEqualTo(VoteResult.LOST);
    }

    @Test
    void votesOfServersOutsideBothConfigurationsDoNotCount() {
        assertThat(JointQuorum.tally(ABC, NONE, votes("axyz", ""))).isEqualTo(VoteResult.PENDING);
        assertThat(JointQuorum.tally(ABC, NONE, votes("a", "xyz"))).isEqualTo(VoteResult.PENDING);
    }

    @Test
    void withoutOutgoingVotersAMajorityOfVotersIsAQuorum() {
        assertThat(JointQuorum.hasQuorum(ABC, NONE, ids("a", "c")::contains)).isTrue();
        assertThat(JointQuorum.hasQuorum(ABC, NONE, ids("a", "x", "y")::contains)).isFalse();
    }

    @Test
    void duringAJointChangeAQuorumNeedsAMajorityOfEachConfiguration() {
        assertThat(JointQuorum.hasQuorum(CDE, ABC, ids("d", "e")::contains)).as("new only").isFalse();
        assertThat(JointQuorum.hasQuorum(CDE, ABC, ids("a", "b")::contains)).as("old only").isFalse();
        assertThat(JointQuorum.hasQuorum(CDE, ABC, ids("a", "c", "e")::contains)).isTrue();
    }

    /** A majority of each configuration, by counting every candidate index: no sorting, no shortcuts. */
    @Test
    void jointArithmeticAgreesWithCountingMajoritiesForRandomConfigurations() {
        List<NodeId> universe = new ArrayList<>(ids("n1", "n2", "n3", "n4", "n5", "n6", "n7"));
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 2_000; round++) {
            Set<NodeId> voters = randomNonEmptySubset(universe, random);
            Set<NodeId> outgoing = random.nextBoolean() ? NONE : randomNonEmptySubset(universe, random);
            Map<NodeId, Long> match = new HashMap<>();
            Map<NodeId, Boolean> votes = new HashMap<>();
            Set<NodeId> active = new HashSet<>();
            for (NodeId id : universe) {
                match.put(id, (long) random.nextInt(6));
                int v = random.nextInt(3);
                if (v < 2) {
                    votes.put(id, v == 0);
                }
                if (random.nextBoolean()) {
                    active.add(id);
                }
            }
            int r = round;
            Supplier<String> context = () -> String.format("seed %d round %d: voters %s outgoing %s match %s votes %s"
                    + " active %s (replay with -D%s=%d)", seed, r, voters, outgoing, match, votes, active, SEED_PROPERTY,
                    seed);
            assertThat(JointQuorum.committedIndex(voters, outgoing, match::get)).as(context)
                    .isEqualTo(referenceCommitted(voters, outgoing, match));
            assertThat(JointQuorum.tally(voters, outgoing, votes)).as(context)
                    .isEqualTo(referenceTally(voters, outgoing, votes));
            assertThat(JointQuorum.hasQuorum(voters, outgoing, active::contains)).as(context)
                    .isEqualTo(majority(voters, active) && (outgoing.isEmpty() || majority(outgoing, active)));
        }
    }

    private static Set<NodeId> randomNonEmptySubset(List<NodeId> universe, SplittableRandom random) {
        Set<NodeId> out = new TreeSet<>();
        while (out.isEmpty()) {
            for (NodeId id : universe) {
                if (random.nextInt(3) == 0) {
                    out.add(id);
                }
            }
        }
        return out;
    }

    private static boolean majority(Set<NodeId> config, Set<NodeId> agreeing) {
        return 2 * config.stream().filter(agreeing::contains).count() > config.size();
    }

    private static long referenceCommitted(Set<NodeId> voters, Set<NodeId> outgoing, Map<NodeId, Long> match) {
        long best = 0;
        for (long index = 0; index <= 10; index++) {
            Set<NodeId> reached = new HashSet<>();
            for (Map.Entry<NodeId, Long> e : match.entrySet()) {
                if (e.getValue() >= index) {
                    reached.add(e.getKey());
                }
            }
            if (majority(voters, reached) && (outgoing.isEmpty() || majority(outgoing, reached))) {
                best = index;
            }
        }
        return best;
    }

    private static VoteResult referenceTally(Set<NodeId> voters, Set<NodeId> outgoing, Map<NodeId, Boolean> votes) {
        Set<NodeId> granted = new HashSet<>();
        Set<NodeId> notDenied = new HashSet<>();
        for (NodeId id : votes.keySet()) {
            if (votes.get(id)) {
                granted.add(id);
            }
        }
        for (NodeId id : voters) {
            if (!Boolean.FALSE.equals(votes.get(id))) {
                notDenied.add(id);
            }
        }
        for (NodeId id : outgoing) {
            if (!Boolean.FALSE.equals(votes.get(id))) {
                notDenied.add(id);
            }
        }
        boolean won = majority(voters, granted) && (outgoing.isEmpty() || majority(outgoing, granted));
        // Lost: even if every voter yet to answer granted, some configuration would lack a majority.
        boolean winnable = majority(voters, notDenied) && (outgoing.isEmpty() || majority(outgoing, notDenied));
        return won ? VoteResult.WON : winnable ? VoteResult.PENDING : VoteResult.LOST;
    }
}
