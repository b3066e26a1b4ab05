package dev.keel.raft.internal.quorum;

import dev.keel.raft.NodeId;

import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Majority arithmetic over a configuration that may be joint (thesis §4.3): during a change of voters, every
 * decision needs a majority of the incoming voters and, separately, a majority of the outgoing ones. With no
 * outgoing voters this is plain majority. Pure functions.
 */
public final class JointQuorum {
    private JointQuorum() {
    }

    /**
     * The highest index reached by a majority of {@code voters} and, if any, of {@code outgoing}.
     *
     * @param match how far each voter is known to have the log
     */
    public static long committedIndex(Set<NodeId> voters, Set<NodeId> outgoing, ToLongFunction<NodeId> match) {
        long c = committedIndexOf(voters, match);
        if (!outgoing.isEmpty()) {
            c = Math.min(c, committedIndexOf(outgoing, match));
        }
        return c;
    }

    private static long committedIndexOf(Set<NodeId> voters, ToLongFunction<NodeId> match) {
        long[] m = new long[voters.size()];
        int i = 0;
        for (NodeId v : voters) {
            m[i++] = match.applyAsLong(v);
        }
        return Majority.committedIndex(m);
    }

    /** The outcome of an election given the votes received so far ({@code true} = granted). */
    public static Majority.VoteResult tally(Set<NodeId> voters, Set<NodeId> outgoing, Map<NodeId, Boolean> votes) {
        Majority.VoteResult incoming = tallyOf(voters, votes);
        if (outgoing.isEmpty()) {
            return incoming;
        }
        Majority.VoteResult old = tallyOf(outgoing, votes);
        if (incoming == Majority.VoteResult.LOST || old == Majority.VoteResult.LOST) {
            return Majority.VoteResult.LOST;
        }
        if (incoming == Majority.VoteResult.WON && old == Majority.VoteResult.WON) {
            return Majority.VoteResult.WON;
        }
        return Majority.VoteResult.PENDING;
    }

    private static Majority.VoteResult tallyOf(Set<NodeId> voters, Map<NodeId, Boolean> votes) {
        int granted = 0;
        int denied = 0;
        for (NodeId v : voters) {
            Boolean vote = votes.get(v);
            if (vote != null) {
                if (vote) {
                    granted++;
                } else {
                    denied++;
                }
            }
        }
        return Majority.tally(voters.size(), granted, denied);
    }

    /** Whether {@code active} holds for a majority of {@code voters} and of {@code outgoing}. */
    public static boolean hasQuorum(Set<NodeId> voters, Set<NodeId> outgoing, Predicate<NodeId> active) {
        return hasQuorumOf(voters, active) && (outgoing.isEmpty() || hasQuorumOf(outgoing, active));
    }

    private static boolean hasQuorumOf(Set<NodeId> voters, Predicate<NodeId> active) {
        int n = 0;
        for (NodeId v : voters) {
            if (active.test(v)) {
                n++;
            }
        }
        return n >= Majority.size(voters.size());
    }
}
