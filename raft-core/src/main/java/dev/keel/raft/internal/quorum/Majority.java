package dev.keel.raft.internal.quorum;

import java.util.Arrays;

/**
 * Majority arithmetic over a set of voters (Raft §5.2, §5.3). Pure functions, no state.
 */
public final class Majority {
    private Majority() {
    }

    /** The smallest number of voters that forms a majority of {@code voters}. */
    public static int size(int voters) {
        if (voters < 1) {
            throw new IllegalArgumentException("a quorum needs at least one voter, got " + voters);
        }
        return voters / 2 + 1;
    }

    /**
     * The highest index that at least a majority of voters have reached: the commit candidate of §5.3.
     *
     * @param matchIndexes one entry per voter (the leader's own durable index included); not modified
     */
    public static long committedIndex(long[] matchIndexes) {
        long[] sorted = matchIndexes.clone();
        Arrays.sort(sorted);
        // Ascending order: the value at position n - majority is reached by the majority at or above it.
        return sorted[sorted.length - size(sorted.length)];
    }

    /** The outcome of counting votes. */
    public enum VoteResult {
        /** A majority granted. */
        WON,
        /** A majority can no longer grant. */
        LOST,
        /** Neither yet. */
        PENDING
    }

    /**
     * Tallies an election.
     *
     * @param voters  number of voters
     * @param granted votes granted so far
     * @param denied  votes denied so far
     */
    public static VoteResult tally(int voters, int granted, int denied) {
        int majority = size(voters);
        if (granted >= majority) {
            return VoteResult.WON;
        }
        if (voters - denied < majority) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
    }
}
