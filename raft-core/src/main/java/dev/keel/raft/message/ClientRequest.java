package dev.keel.raft.message;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a client asks of the cluster's leader: a command to replicate, or an administrative change. A follower sends it
 * to the leader in a {@link ForwardRequest}; the leader runs it as if it had been asked itself. The set is closed,
 * except for {@link Unsupported}, which stands for a kind that a newer version sent and this one does not know.
 */
public sealed interface ClientRequest {

    /** Whether running the request changes the replicated state, so that losing track of it leaves its outcome open. */
    default boolean changesState() {
        return true;
    }

    /**
     * A command for the state machine, outside any session.
     *
     * @param command the command bytes; not copied, treat as immutable
     */
    record Command(byte[] command) implements ClientRequest {
        public Command {
            Objects.requireNonNull(command, "command");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Command c && Arrays.equals(command, c.command);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(command);
        }

        @Override
        public String toString() {
            return "Command[" + command.length + "B]";
        }
    }

    /**
     * A membership change (thesis chapter 4), as {@code RaftServer.changeMembership} asks for it.
     *
     * @param target        the voters and learners wanted
     * @param expectedIndex the index of the configuration the change was computed from (compare-and-set)
     */
    record ChangeMembership(Membership target, long expectedIndex) implements ClientRequest {
        public ChangeMembership {
            Objects.requireNonNull(target, "target");
            Messages.requireNonNegative("expectedIndex", expectedIndex);
        }
    }

    /**
     * A leadership transfer (thesis §3.10).
     *
     * @param target the voter to hand leadership to
     */
    record TransferLeadership(NodeId target) implements ClientRequest {
        public TransferLeadership {
            Objects.requireNonNull(target, "target");
        }
    }

    /**
     * A request of a kind this version does not know (a newer sender's). The leader answers it with
     * {@link ForwardResponse.Outcome#UNSUPPORTED} and does nothing else.
     *
     * @param kind the sender's code for it, for the log
     */
    record Unsupported(int kind) implements ClientRequest {
        @Override
        public boolean changesState() {
            return false;
        }
    }
}
