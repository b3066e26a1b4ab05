package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.Role;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.internal.engine.EngineCounters;
import dev.keel.raft.internal.engine.SoftState;
import dev.keel.raft.internal.events.RaftEvents;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.metrics.KeelMetrics;
import dev.keel.raft.metrics.MetricsRegistry;
import dev.keel.raft.metrics.MetricsRegistry.Counter;
import dev.keel.raft.metrics.MetricsRegistry.Histogram;
import dev.keel.raft.metrics.MetricsRegistry.Registration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the runtime reports about itself: metrics through the {@link MetricsRegistry} and JFR events. The engine only
 * counts ({@link EngineCounters}); times are taken here, on the runtime's threads. Each method names the moment it
 * is called at and the thread it is called on.
 */
final class Telemetry {
    /** Which requests a rejection refused. */
    enum Op { SUBMIT, READ }

    /** Why a request was refused. */
    enum Reason { BUSY, NOT_LEADER }

    private final NodeId self;
    private final MetricsRegistry registry;
    private final Supplier<ServerStatus> status;
    private final IntSupplier pendingProposals;
    private final IntSupplier pendingReads;
    final Histogram commitLatency;
    final Histogram applyLatency;
    final Histogram snapshotDuration;
    final Histogram snapshotSize;
    final Counter snapshotBytesSent;
    final Counter snapshotBytesReceived;
    final Histogram installSnapshotDuration;
    private final Histogram appendBatch;
    private final Counter[] rejections = new Counter[4];
    /** Inbound messages the event loop dropped (any thread). */
    final Counter inboxDropped;
    private final Counter preVotes;
    private final Counter elections;
    private final Counter electionsWon;
    private final Counter leaderChanges;
    private final List<Registration> gauges = new ArrayList<>();
    // Event loop only.
    private final Map<NodeId, Registration[]> followerGauges = new HashMap<>();
    private long seenPreVotes;
    private long seenElections;
    private long seenWon;
    private long seenLeaderChanges;
    private RaftEvents.ElectionSpan election;
    private long electionPreVotes;
    private long electionRounds;

    /**
     * @param registry tags every meter with the node already
     * @param status   the server's published status (gauges read it)
     */
    Telemetry(NodeId self, MetricsRegistry registry, Supplier<ServerStatus> status, IntSupplier pendingProposals,
              IntSupplier pendingReads) {
        this.self = self;
        this.registry = registry;
        this.status = status;
        commitLatency = registry.histogram(KeelMetrics.COMMIT_LATENCY, Map.of());
        applyLatency = registry.histogram(KeelMetrics.APPLY_LATENCY, Map.of());
        appendBatch = registry.histogram(KeelMetrics.APPEND_ENTRIES_BATCH, Map.of());
        snapshotDuration = registry.histogram(KeelMetrics.SNAPSHOT_DURATION, Map.of());
        snapshotSize = registry.histogram(KeelMetrics.SNAPSHOT_SIZE, Map.of());
        snapshotBytesSent = registry.counter(KeelMetrics.INSTALL_SNAPSHOT_BYTES, Map.of("direction", "sent"));
        snapshotBytesReceived = registry.counter(KeelMetrics.INSTALL_SNAPSHOT_BYTES,
                Map.of("direction", "received"));
        installSnapshotDuration = registry.histogram(KeelMetrics.INSTALL_SNAPSHOT_DURATION, Map.of());
        for (Op op : Op.values()) {
            for (Reason reason : Reason.values()) {
                rejections[op.ordinal() * 2 + reason.ordinal()] = registry.counter(KeelMetrics.REJECTIONS,
                        Map.of("op", tag(op), "reason", tag(reason)));
            }
        }
        inboxDropped = registry.counter(KeelMetrics.INBOX_DROPPED, Map.of());
        preVotes = registry.counter(KeelMetrics.PREVOTES_STARTED, Map.of());
        elections = registry.counter(KeelMetrics.ELECTIONS_STARTED, Map.of());
        electionsWon = registry.counter(KeelMetrics.ELECTIONS_WON, Map.of());
        leaderChanges = registry.counter(KeelMetrics.LEADER_CHANGES, Map.of());
        this.pendingProposals = pendingProposals;
        this.pendingReads = pendingReads;
    }

    /** The server starts (any thread, before its event loop runs): registers the gauges that read its status. */
    void start() {
        gauges.add(registry.gauge(KeelMetrics.TERM, Map.of(), () -> status.get().term()));
        gauges.add(registry.gauge(KeelMetrics.IS_LEADER, Map.of(), () -> status.get().isLeader() ? 1 : 0));
        gauges.add(registry.gauge(KeelMetrics.HAS_LEADER, Map.of(), () -> status.get().leader() != null ? 1 : 0));
        gauges.add(registry.gauge(KeelMetrics.COMMIT_INDEX, Map.of(), () -> status.get().commitIndex()));
        gauges.add(registry.gauge(KeelMetrics.APPLIED_INDEX, Map.of(), () -> status.get().appliedIndex()));
        gauges.add(registry.gauge(KeelMetrics.LAST_LOG_INDEX, Map.of(), () -> status.get().lastLogIndex()));
        gauges.add(registry.gauge(KeelMetrics.SNAPSHOT_INDEX, Map.of(), () -> status.get().snapshotIndex()));
        gauges.add(registry.gauge(KeelMetrics.PENDING, Map.of("op", "submit"), pendingProposals::getAsInt));
        gauges.add(registry.gauge(KeelMetrics.PENDING, Map.of("op", "read"), pendingReads::getAsInt));
    }

    /** Telemetry that measures nothing, for tests of the parts that report to it. */
    static Telemetry none(NodeId self) {
        return new Telemetry(self, MetricsRegistry.noop(), () -> {
            throw new IllegalStateException("no status in a test");
        }, () -> 0, () -> 0);
    }

    private static String tag(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** As {@link #rejected}, for a refusal given as {@code reply}, which is returned. */
    Reply refused(Op op, Reason reason, Reply reply) {
        rejected(op, reason);
        return reply;
    }

    /** A request was refused before anything was done (any thread). */
    void rejected(Op op, Reason reason) {
        rejections[op.ordinal() * 2 + reason.ordinal()].increment();
    }

    /** The event loop sends a message of a Ready. */
    void sending(RaftMessage m) {
        if (m instanceof AppendEntriesRequest a && !a.entries().isEmpty()) {
            appendBatch.record(a.entries().size());
        } else if (m instanceof InstallSnapshotRequest chunk) {
            snapshotBytesSent.add(chunk.data().length);
        }
    }

    /** The event loop hands this server's committed proposals to the applier. */
    void committed(List<PendingProposal> proposals) {
        long now = System.nanoTime();
        for (PendingProposal p : proposals) {
            commitLatency.record(now - p.submittedNanos());
        }
    }

    /** After each batch of the event loop: reports what the engine counted since, and follows campaigns. */
    void afterBatch(EngineCounters c, SoftState soft) {
        long newPreVotes = c.preVotesStarted() - seenPreVotes;
        long newElections = c.electionsStarted() - seenElections;
        long newWon = c.electionsWon() - seenWon;
        long newLeaders = c.leaderChanges() - seenLeaderChanges;
        if ((newPreVotes | newElections | newWon | newLeaders) == 0) {
            return;
        }
        seenPreVotes = c.preVotesStarted();
        seenElections = c.electionsStarted();
        seenWon = c.electionsWon();
        seenLeaderChanges = c.leaderChanges();
        preVotes.add(newPreVotes);
        elections.add(newElections);
        electionsWon.add(newWon);
        leaderChanges.add(newLeaders);
        followCampaign(newPreVotes, newElections, newWon, soft);
    }

    /**
     * A campaign starts with a pre-vote (or with an election, without PreVote or when the leader hands over) and ends
     * when this server leads ("won"), follows ("lost") or starts over ("restarted": a new pre-vote, or a new election
     * that no successful pre-vote of this campaign led to).
     */
    private void followCampaign(long newPreVotes, long newElections, long newWon, SoftState soft) {
        if (election != null) {
            boolean sameCampaign = newPreVotes == 0 && electionPreVotes > 0 && electionRounds == 0;
            if (newPreVotes > 0 || newElections > 0 && !sameCampaign) {
                endCampaign("restarted", soft);
            }
        }
        if (election == null && (newPreVotes > 0 || newElections > 0)) {
            election = RaftEvents.election();
            electionPreVotes = 0;
            electionRounds = 0;
        }
        if (election == null) {
            return;
        }
        electionPreVotes += newPreVotes;
        electionRounds += newElections;
        if (newWon > 0 || soft.role() == Role.LEADER) {
            endCampaign("won", soft);
        } else if (soft.role() == Role.FOLLOWER) {
            endCampaign("lost", soft);
        }
    }

    /** The role, term or leader changed (event loop). */
    void softStateChanged(SoftState previous, SoftState now) {
        if (election != null && now.role() == Role.FOLLOWER) {
            endCampaign("lost", now);
        }
        if (previous.role() != now.role() || !java.util.Objects.equals(previous.leader(), now.leader())) {
            RaftEvents.leaderChanged(self.value(), now.term(), tag(now.role()),
                    previous.leader() == null ? "" : previous.leader().value(),
                    now.leader() == null ? "" : now.leader().value());
        }
        if (now.role() != Role.LEADER) {
            followers(Map.of());
        }
    }

    private void endCampaign(String outcome, SoftState soft) {
        RaftEvents.ElectionSpan e = election;
        election = null;
        e.end(self.value(), soft.term(), outcome, soft.leader() == null ? "" : soft.leader().value(),
                electionPreVotes, electionRounds);
    }

    /**
     * On each tick (event loop): keeps one match-index and one lag gauge per follower while leading, none otherwise.
     *
     * @param matchIndex the leader's view of its followers; empty when not leading
     */
    void followers(Map<NodeId, Long> matchIndex) {
        if (followerGauges.keySet().equals(matchIndex.keySet())) {
            return;
        }
        followerGauges.entrySet().removeIf(e -> {
            if (matchIndex.containsKey(e.getKey())) {
                return false;
            }
            for (Registration r : e.getValue()) {
                r.close();
            }
            return true;
        });
        for (NodeId f : matchIndex.keySet()) {
            if (!followerGauges.containsKey(f)) {
                Map<String, String> tags = Map.of("follower", f.value());
                followerGauges.put(f, new Registration[]{
                        registry.gauge(KeelMetrics.FOLLOWER_MATCH_INDEX, tags, () -> match(f)),
                        registry.gauge(KeelMetrics.FOLLOWER_LAG, tags, () -> {
                            ServerStatus s = status.get();
                            Long m = s.matchIndex().get(f);
                            return m == null ? 0 : Math.max(0, s.lastLogIndex() - m);
                        })});
            }
        }
    }

    private long match(NodeId follower) {
        Long m = status.get().matchIndex().get(follower);
        return m == null ? 0 : m;
    }

    /** A snapshot was written (background thread). */
    void snapshotWritten(SnapshotMetadata meta, long nanos) {
        snapshotDuration.record(nanos);
        snapshotSize.record(meta.size());
    }

    /** The server stopped (event loop): its gauges go, so that a server started later under its id owns them. */
    void close() {
        followers(Map.of());
        gauges.forEach(Registration::close);
        gauges.clear();
    }
}
