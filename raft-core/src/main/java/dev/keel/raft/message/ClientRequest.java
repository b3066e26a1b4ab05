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

    /** Opens a client session (thesis §6.3); the answer's index is the session's id. */
    record OpenSession() implements ClientRequest {
    }

    /**
     * A command in a client session: applied at most once per (session, sequence), in sequence order.
     *
     * @param sessionId    the session
     * @param sequence     the command's number in the session, from 1
     * @param acknowledged every command of the session up to this number is answered or abandoned by its client, so
     *                     the cluster may drop their results (and never apply an abandoned one any more)
     * @param command      the command bytes; not copied, treat as immutable
     */
    record SessionCommand(long sessionId, long sequence, long acknowledged, byte[] command) implements ClientRequest {
        public SessionCommand {
            Objects.requireNonNull(command, "command");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SessionCommand c && sessionId == c.sessionId && sequence == c.sequence
                    && acknowledged == c.acknowledged && Arrays.equals(command, c.command);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sessionId, sequence, acknowledged) * 31 + Arrays.hashCode(command);
        }

        @Override
        public String toString() {
            return "SessionCommand[" + sessionId + "#" + sequence + " ack " + acknowledged + ", " + command.length
                    + "B]";
        }
    }

    /**
     * Keeps an idle session from expiring, and acknowledges answers.
     *
     * @param sessionId    the session
     * @param acknowledged as in {@link SessionCommand}
     */
    record KeepAlive(long sessionId, long acknowledged) implements ClientRequest {
    }

    /**
     * Ends a session: the cluster forgets it and its cached results.
     *
     * @param sessionId the session
     */
    record CloseSession(long sessionId) implements ClientRequest {
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
