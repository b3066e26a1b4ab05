package dev.keel.raft.examples.kv;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftServer;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.exception.ClusterChangeException;
import dev.keel.raft.exception.IndeterminateOutcomeException;
import dev.keel.raft.exception.NotLeaderException;
import dev.keel.raft.exception.ServerBusyException;
import dev.keel.raft.exception.ServerStoppedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs membership commands ({@link AdminCommand}) from any node: it first catches up with the leader (a linearizable
 * read), computes the change from the configuration it then holds, and calls {@link RaftServer#changeMembership}
 * (compare-and-set on that configuration) or {@link RaftServer#transferLeadership}, which Keel forwards to the leader
 * when this node follows. While no leader is known, or another change is still running, a command waits up to
 * {@code leaderWait} before failing with {@code -TRYAGAIN}.
 *
 * <p>Thread-safe. Futures never fail: failures are RESP error replies.
 */
public final class MembershipAdmin implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MembershipAdmin.class);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final String BUSY = "TRYAGAIN another membership change is in progress (or the leader is new): ";
    /** A read of nothing: what matters is that this node applied everything committed before it. */
    private static final byte[] BARRIER = KvCommand.of(Op.EXISTS, new byte[0]).encode();

    private final RaftServer raft;
    private final LeaderTracker tracker;
    private final Function<NodeId, String> raftAddress;
    private final Function<NodeId, String> clientAddress;
    private final long leaderWaitNanos;
    private final RequestTimeouts timeouts;
    private final byte[] timeoutReply;

    /**
     * @param raftAddress   the Raft address of a member whose configuration entry has none (a cluster started before
     *                      members carried addresses): what the transport was configured with ("" if nothing)
     * @param clientAddress each member's client address as far as this node's configuration knows ("" if not)
     * @param timeout       how long a command may take in all (adding a voter includes its catch-up)
     */
    MembershipAdmin(RaftServer raft, LeaderTracker tracker, Function<NodeId, String> raftAddress,
                    Function<NodeId, String> clientAddress, ScheduledExecutorService timer, Duration leaderWait,
                    Duration timeout) {
        this.raftAddress = raftAddress;
        this.raft = raft;
        this.tracker = tracker;
        this.clientAddress = clientAddress;
        this.leaderWaitNanos = leaderWait.toNanos();
        this.timeouts = new RequestTimeouts(timeout.toNanos(), timer);
        this.timeoutReply = Replies.error("TIMEOUT no answer within " + timeout.toMillis()
                + " ms; the change may still complete: check RAFT.MEMBERS");
    }

    /** Runs a client's command, whichever node it came to. */
    public CompletableFuture<byte[]> execute(AdminCommand command) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        new Attempt(command, result).run();
        timeouts.watch(result, timeoutReply);
        return result;
    }

    /** The command, computed from this node's configuration (current: the caller read through the leader first). */
    private CompletableFuture<byte[]> runHere(AdminCommand command) {
        ServerStatus s = raft.status();
        if (s.leader() == null || s.membership() == null) {
            return CompletableFuture.failedFuture(new NotLeaderException(s.id(), (NodeId) null));
        }
        try {
            if (command instanceof AdminCommand.Add a) {
                return add(s, a);
            }
            if (command instanceof AdminCommand.Remove r) {
                return remove(s, r);
            }
            if (command instanceof AdminCommand.Transfer t) {
                return s.leader().equals(t.id()) ? CompletableFuture.completedFuture(Replies.OK)
                        : raft.transferLeadership(t.id()).thenApply(v -> Replies.OK);
            }
            return CompletableFuture.completedFuture(members(s));
        } catch (AdminCommand.Invalid e) {
            return CompletableFuture.completedFuture(Replies.error(e.getMessage()));
        }
    }

    /**
     * {@code config_index}, {@code change_in_progress}, {@code leader}, then {@code members}: per member its id, role
     * ({@code voter}, {@code learner}, or {@code outgoing} for a voter of the old configuration during a change), Raft
     * address and client address ("" while unknown).
     */
    private byte[] members(ServerStatus s) {
        Membership m = s.membership();
        List<byte[]> rows = new ArrayList<>();
        for (Member member : m.allMembers()) {
            String role = m.voterIds().contains(member.id()) ? "voter"
                    : m.learnerIds().contains(member.id()) ? "learner" : "outgoing";
            String address = member.address().isEmpty() ? raftAddress.apply(member.id()) : member.address();
            rows.add(Replies.bulkArray(List.of(bytes(member.id().value()), bytes(role), bytes(address),
                    bytes(clientAddress.apply(member.id())))));
        }
        return Replies.array(List.of(
                Replies.bulk(bytes("config_index")), Replies.integer(s.membershipIndex()),
                Replies.bulk(bytes("change_in_progress")), Replies.integer(s.membershipChangeInProgress() ? 1 : 0),
                Replies.bulk(bytes("leader")), Replies.bulk(bytes(s.leader().value())),
                Replies.bulk(bytes("members")), Replies.array(rows)));
    }

    private CompletableFuture<byte[]> add(ServerStatus s, AdminCommand.Add a) throws AdminCommand.Invalid {
        Membership m = s.membership();
        Member member = new Member(a.id(), a.raft().toString());
        Set<Member> voters = new TreeSet<>(m.voters());
        Set<Member> learners = new TreeSet<>(m.learners());
        var existing = m.member(a.id());
        if (existing.isPresent()) {
            if (!existing.get().address().equals(member.address())) {
                throw new AdminCommand.Invalid("ERR " + a.id() + " is already a member at '" + existing.get().address()
                        + "': RAFT.REMOVE it first to add it at another address");
            }
            boolean voter = m.voterIds().contains(a.id());
            if (voter && a.learner()) {
                throw new AdminCommand.Invalid("ERR " + a.id() + " is a voter: RAFT.REMOVE it first to make it a "
                        + "learner");
            }
            if (voter || (a.learner() && m.learnerIds().contains(a.id()))) {
                return CompletableFuture.completedFuture(Replies.OK); // already so: a retried RAFT.ADD succeeds
            }
            learners.remove(existing.get()); // a learner to promote
        }
        (a.learner() ? learners : voters).add(member);
        log.info("{}: adding {} as a {} (configuration {} at index {})", s.id(), member,
                a.learner() ? "learner" : "voter", m, s.membershipIndex());
        return change(voters, learners, s.membershipIndex());
    }

    private CompletableFuture<byte[]> remove(ServerStatus s, AdminCommand.Remove r) throws AdminCommand.Invalid {
        Membership m = s.membership();
        if (!m.contains(r.id())) {
            throw new AdminCommand.Invalid("ERR " + r.id() + " is not a member");
        }
        Set<Member> voters = new TreeSet<>(m.voters());
        Set<Member> learners = new TreeSet<>(m.learners());
        voters.removeIf(x -> x.id().equals(r.id()));
        learners.removeIf(x -> x.id().equals(r.id()));
        if (voters.isEmpty()) {
            throw new AdminCommand.Invalid("ERR " + r.id() + " is the last voter: a cluster needs at least one");
        }
        if (r.id().equals(s.leader())) {
            // The Raft rules let a leader manage its own removal (the transport keeps it connected for a grace
            // period), but it then steps down and the rest wait an election timeout for a new leader. Handing
            // leadership over first (no election: TimeoutNow) and removing the old leader as a follower avoids the
            // gap. The leader knows who is most up to date; a follower hands it to itself (it has just caught up).
            NodeId successor = voters.stream().map(Member::id)
                    .max(java.util.Comparator.comparingLong((NodeId id) -> id.equals(s.id()) ? Long.MAX_VALUE
                                    : s.matchIndex().getOrDefault(id, 0L))
                            .thenComparing(java.util.Comparator.reverseOrder()))
                    .orElseThrow();
            log.info("{}: handing leadership from {} to {} before removing it", s.id(), r.id(), successor);
            return raft.transferLeadership(successor).thenCompose(done ->
                    CompletableFuture.failedFuture(new Handover()));
        }
        log.info("{}: removing {} (configuration {} at index {})", s.id(), r.id(), m, s.membershipIndex());
        return change(voters, learners, s.membershipIndex());
    }

    private CompletableFuture<byte[]> change(Set<Member> voters, Set<Member> learners, long expectedIndex) {
        return raft.changeMembership(voters, learners, expectedIndex).thenApply(done -> {
            log.info("{}: configuration is now {}", raft.id(), done);
            return Replies.OK;
        });
    }

    /** The reply for a command that failed for another reason than this node not leading. */
    static byte[] reply(Throwable failure) {
        Throwable t = Errors.unwrap(failure);
        if (t instanceof ClusterChangeException c) {
            return switch (c.reason()) {
                case CONFLICT -> Replies.error("CONFLICT " + c.getMessage()
                        + "; another change came first: check RAFT.MEMBERS and retry");
                case INVALID -> Replies.error("ERR " + c.getMessage());
                case TIMEOUT -> Replies.error("TIMEOUT " + c.getMessage());
            };
        }
        if (t instanceof ServerBusyException) {
            return Replies.error(BUSY + t.getMessage());
        }
        if (t instanceof IndeterminateOutcomeException) {
            return Replies.error("INDETERMINATE leadership changed during the membership change; it may or may not "
                    + "complete: check RAFT.MEMBERS");
        }
        if (t instanceof ServerStoppedException) {
            return Replies.error("TRYAGAIN the node is stopping, use another node");
        }
        return Errors.reply(t);
    }

    @Override
    public void close() {
        timeouts.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Leadership was handed over on the way to the command: run it again, from the new leader's configuration. */
    private static final class Handover extends RuntimeException {
        Handover() {
            super("leadership handed over", null, false, false);
        }
    }

    /** One client command and its retries while the leader is unknown or moving, or another change runs. */
    private final class Attempt {
        final AdminCommand command;
        final CompletableFuture<byte[]> result;
        final long deadline = System.nanoTime() + leaderWaitNanos;
        long backoff = FIRST_BACKOFF_NANOS;

        Attempt(AdminCommand command, CompletableFuture<byte[]> result) {
            this.command = command;
            this.result = result;
        }

        void run() {
            if (result.isDone()) {
                return;
            }
            // Catch up with the leader first, so that the change is computed from the configuration now in effect.
            raft.read(BARRIER).thenCompose(read -> runHere(command)).whenComplete((reply, failure) -> {
                if (failure == null) {
                    result.complete(reply);
                    return;
                }
                Throwable t = Errors.unwrap(failure);
                if (t instanceof Handover) {
                    run();
                } else if (t instanceof ServerBusyException busy) {
                    // One change at a time, and none before a new leader has committed an entry of its term: both
                    // pass soon (e.g. right after the handover of RAFT.REMOVE of the leader), so wait a little.
                    retryOrReply(reply(busy));
                } else if (t instanceof NotLeaderException) {
                    retryOrReply(Errors.NO_LEADER);
                } else {
                    result.complete(reply(failure));
                }
            });
        }

        /** Tries again after a backoff, or replies {@code finalReply} once the wait is over. */
        void retryOrReply(byte[] finalReply) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                result.complete(finalReply);
                return;
            }
            long wait = Math.min(backoff, left);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
            tracker.nextChange(Duration.ofNanos(wait)).thenRun(this::run);
        }
    }
}
