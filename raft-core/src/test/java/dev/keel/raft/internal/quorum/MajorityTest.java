package dev.keel.raft.internal.quorum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MajorityTest {

    @ParameterizedTest(name = "majority of {0} is {1}")
    @CsvSource({"1,1", "2,2", "3,2", "4,3", "5,3", "7,4"})
    void majoritySize(int voters, int majority) {
        assertThat(Majority.size(voters)).isEqualTo(majority);
    }

    @Test
    void noVotersIsAnError() {
        assertThatThrownBy(() -> Majority.size(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void committedIndexIsTheHighestIndexReachedByAMajority() {
        assertThat(Majority.committedIndex(new long[]{5})).isEqualTo(5);
        assertThat(Majority.committedIndex(new long[]{5, 3, 9})).isEqualTo(5);
        assertThat(Majority.committedIndex(new long[]{1, 1, 9, 9})).isEqualTo(1);
        assertThat(Majority.committedIndex(new long[]{10, 2, 7, 7, 1})).isEqualTo(7);
    }

    @Test
    void committedIndexPropertyHoldsForRandomInputs() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 10_000; round++) {
            int n = 1 + random.nextInt(9);
            long[] m = new long[n];
            for (int i = 0; i < n; i++) {
                m[i] = random.nextInt(20);
            }
            long c = Majority.committedIndex(m);
            long atLeast = Arrays.stream(m).filter(x -> x >= c).count();
            long above = Arrays.stream(m).filter(x -> x > c).count();
            assertThat(atLeast).as("seed %d, %s", seed, Arrays.toString(m)).isGreaterThanOrEqualTo(Majority.size(n));
            assertThat(above).as("seed %d, %s", seed, Arrays.toString(m)).isLessThan(Majority.size(n));
        }
    }

    @ParameterizedTest(name = "{0} voters, {1} granted, {2} denied -> {3}")
    @CsvSource({
            "1,1,0,WON", "3,1,0,PENDING", "3,2,0,WON", "3,1,2,LOST", "3,0,2,LOST",
            "5,2,2,PENDING", "5,3,0,WON", "5,2,3,LOST", "4,2,1,PENDING", "4,1,2,LOST", "4,3,1,WON"})
    void tally(int voters, int granted, int denied, Majority.VoteResult expected) {
        assertThat(Majority.tally(voters, granted, denied)).isEqualTo(expected);
    }
}
