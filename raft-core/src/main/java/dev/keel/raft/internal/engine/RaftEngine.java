package dev.keel.raft.internal.engine;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.Role;
import dev.keel.raft.internal.log.ConfigTracker;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.log.RaftLog;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.internal.role.Candidate;
import dev.keel.raft.internal.role.Follower;
import dev.keel.raft.internal.role.Leader;
import dev.keel.raft.internal.role.LeadershipTransfer;
import dev.keel.raft.internal.role.PreCandidate;
import dev.keel.raft.internal.role.RoleBehaviour;
import dev.keel.raft.internal.transfer.SnapshotReceiver;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.log.EntryType;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.AppendEntriesRequest;
import dev.keel.raft.message.AppendEntriesResponse;
import dev.keel.raft.message.ForwardRequest;
import dev.keel.raft.message.ForwardResponse;
import dev.keel.raft.message.Heartbeat;
import dev.keel.raft.message.HeartbeatResponse;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.message.VoteRequest;
import dev.keel.raft.message.VoteResponse;
import dev.keel.raft.spi.LogStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.random.RandomGenerator;

/**
 * The Raft consensus engine of one server: a deterministic state machine. Inputs are {@link #tick()},
 * {@link #step(RaftMessage)}, {@link #propose(byte[])}, {@link #read(long)} and {@link #persisted(long, long)};
 * the work they cause is collected and handed out by {@link #ready()}. There is no clock, thread or I/O in here:
 * time is counted in ticks, randomness comes from the injected generator, and the log storage is only read.
 *
 * <p>Not thread-safe: one driver thread calls everything. After {@link #ready()} the driver must write the
 * Ready's entries to storage before calling the engine again.
 */
public final class RaftEngine {
    private static final Logger log = LoggerFactory.getLogger(RaftEngine.class);
    private static final long MAX_APPLY_BATCH_BYTES = 16L << 20;

    private final NodeId self;
    private final RaftConfig config;
    private final RandomGenerator random;
    private final RaftLog raftLog;
    private final Outbox out = new Outbox();
    private final EngineRoleContext context = new EngineRoleContext(this, out);
    private final EngineCounters counters = new EngineCounters();

    private long term;
    private NodeId votedFor;
    private NodeId leader;
    private RoleBehaviour role;
    private long now;
    private int electionElapsed;
    private int electionTimeout;
    private boolean hardStateDirty;
    private SoftState reportedSoftState;
    // The last snapshot transfer id handed out: never reused within an engine, so late disk results are recognised.
    private long transferIds;

    // Derived from the configuration in effect; recomputed when it changes.
    private ConfigTracker.Config cachedConfig;
    private List<NodeId> peers = List.of();
    private Set<NodeId> voters = Set.of();
    private Set<NodeId> outgoing = Set.of();

    private final LeadershipTransfer transfer = new LeadershipTransfer(context);
    private final SnapshotReceiver receiver;

    /**
     * @param self      this server
     * @param bootstrap the configuration to start with when neither the snapshot nor the log holds one; {@code null}
     *                  for a server joining an existing cluster (it learns the configuration from the leader)
     * @param config  timing and limits
     * @param storage  the log, read only; its hard state is the starting point
     * @param snapshot the newest durable snapshot, or {@code null}
     * @param random   the source of randomized election timeouts
     * @throws IllegalStateException if the log and the snapshot do not together reach back to index 1
     */
    public RaftEngine(NodeId self, Membership bootstrap, RaftConfig config, LogStorage storage,
                      SnapshotMetadata snapshot, RandomGenerator random) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
        this.raftLog = new RaftLog(storage, snapshot, bootstrap);
        this.receiver = new SnapshotReceiver(self, config, context);
        refreshConfig();
        HardState hs = storage.hardState();
        this.term = hs.term();
        this.votedFor = hs.votedFor();
        this.role = new Follower(context);
        resetElectionTimer();
        this.reportedSoftState = softState();
    }

    // ---- inputs -------------------------------------------------------------------------------------------------

    /** One unit of time passed. */
    public void tick() {
        now++;
        electionElapsed++;
        role.onTick();
        report(transfer.onTick());
        receiver.tick(now);
    }

    /** A message arrived. Messages not addressed to this server, or from a non-member, are dropped. */
    public void step(RaftMessage m) {
        if (m instanceof ForwardRequest || m instanceof ForwardResponse) {
            // Client traffic between runtimes: no part of consensus, and its term must change no one's.
            log.debug("{} drops {}: not a consensus message", self, m);
            return;
        }
        if (!m.to().equals(self) || m.from().equals(self)) {
            log.debug("{} drops {}: not addressed to it", self, m);
            return;
        }
        if (m.term() > term) {
            if (m instanceof VoteRequest v) {
                if (inLease() && !v.transfer()) {
                    // CheckQuorum: we heard from a live leader within the minimum election timeout, so this
                    // candidate cannot be needed; ignoring it keeps a rejoining server from deposing the leader.
                    log.debug("{} ignores {} from {}: leader {} is active", self, v.preVote() ? "pre-vote" : "vote",
                            v.from(), leader);
                    return;
                }
                if (!v.preVote()) {
                    becomeFollower(m.term(), null);
                }
            } else if (m instanceof VoteResponse r && r.preVote() && r.granted()) {
                // A granted pre-vote carries the term we would campaign in; it is not a newer term.
            } else {
                boolean fromLeader = m instanceof AppendEntriesRequest || m instanceof Heartbeat
                        || m instanceof InstallSnapshotRequest;
                becomeFollower(m.term(), fromLeader ? m.from() : null);
            }
        } else if (m.term() < term) {
            rejectStale(m);
            return;
        }
        if (m instanceof VoteRequest v) {
            onVoteRequest(v);
            return;
        }
        role.onMessage(m);
        configMaybeChanged();
    }

    private void configMaybeChanged() {
        if (raftLog.config() != cachedConfig) {
            refreshConfig();
            role.onMembershipChanged();
        }
    }

    /** Role code may read the configuration mid-step (after an append): keep the derived sets current. */
    private void configMaybeChangedQuietly() {
        if (raftLog.config() != cachedConfig) {
            refreshConfig();
        }
    }

    private void refreshConfig() {
        cachedConfig = raftLog.config();
        Membership m = cachedConfig.membership();
        if (m == null) {
            voters = Set.of();
            outgoing = Set.of();
            peers = List.of();
            return;
        }
        voters = m.voterIds();
        outgoing = m.outgoingVoterIds();
        TreeSet<NodeId> others = m.ids().collect(Collectors.toCollection(TreeSet::new));
        others.remove(self);
        peers = List.copyOf(others);
    }

    /**
     * Appends a command if this server is the leader and not overloaded.
     *
     * @return where it went, or why not
     */
    public ProposeResult propose(byte[] command) {
        return propose(EntryType.COMMAND, command);
    }

    /**
     * Appends an entry of {@code type} ({@code COMMAND} or {@code REQUEST}: what the state machine side applies) if
     * this server is the leader and not overloaded.
     *
     * @return where it went, or why not
     * @throws IllegalArgumentException for an entry type the engine writes itself (no-op, configuration)
     */
    public ProposeResult propose(EntryType type, byte[] data) {
        if (type != EntryType.COMMAND && type != EntryType.REQUEST) {
            throw new IllegalArgumentException("only commands and requests are proposed, not " + type);
        }
        if (role.role() != Role.LEADER) {
            return ProposeResult.notLeader(leader);
        }
        if (raftLog.lastIndex() - raftLog.commitIndex() >= config.maxUncommittedEntries()
                || ((Leader) role).transferring()) {
            return ProposeResult.busy();
        }
        long index = raftLog.lastIndex() + 1;
        raftLog.append(new LogEntry(index, term, type, data));
        return ProposeResult.appended(index, term);
    }

    /**
     * Asks for a linearizable read. The outcome comes out of a later {@link #ready()} as a {@link ReadState} (run the
     * query once applied up to its index) or in {@link Ready#failedReads()}.
     *
     * @param requestId the caller's id for this read, unique among its pending reads
     */
    public void read(long requestId) {
        role.onRead(requestId);
    }

    /** The storage made entries up to {@code index} (in {@code term}) durable. */
    public void persisted(long index, long term) {
        if (raftLog.onPersisted(index, term)) {
            role.onDurable();
        }
    }

    /**
     * Asks the leader to move the cluster to {@code target} (voters and learners), provided the configuration is still
     * the one introduced at {@code expectedIndex}. The outcome comes out of a later Ready.
     */
    public void changeMembership(long requestId, Membership target, long expectedIndex) {
        if (role instanceof Leader l) {
            l.changeMembership(requestId, target, expectedIndex);
            configMaybeChanged();
        } else {
            out.adminResults.add(AdminResult.failureOf(requestId, AdminResult.Outcome.NOT_LEADER,
                    self + " is not the leader" + (leader == null ? "" : "; the leader is " + leader)));
        }
    }

    /**
     * Hands leadership to {@code target} (thesis §3.10). The outcome comes out of a later Ready once the target leads,
     * or after an election timeout.
     */
    public void transferLeadership(long requestId, NodeId target) {
        if (!(role instanceof Leader l)) {
            out.adminResults.add(AdminResult.failureOf(requestId, AdminResult.Outcome.NOT_LEADER,
                    self + " is not the leader" + (leader == null ? "" : "; the leader is " + leader)));
            return;
        }
        AdminResult known = transfer.start(requestId, target);
        if (known != null) {
            report(known);
        } else {
            l.startTransfer();
        }
    }

    private void report(AdminResult result) {
        if (result != null && result.requestId() >= 0) {
            out.adminResults.add(result);
        }
    }

    /** Whether a membership change is under way (joint, uncommitted, or new voters catching up). */
    public boolean membershipChangeInProgress() {
        Membership m = membership();
        return (m != null && m.isJoint()) || membershipIndex() > raftLog.commitIndex()
                || (role instanceof Leader l && l.changeInProgress());
    }

    /** The configuration in effect; {@code null} while a joining server knows none. */
    public Membership membership() {
        return raftLog.config().membership();
    }

    /** Index of the entry that introduced the configuration in effect (0 for the bootstrap one). */
    public long membershipIndex() {
        return raftLog.config().index();
    }

    /** A snapshot was written locally up to {@code snapshot.index()}: the log before it may be compacted. */
    public void snapshotTaken(SnapshotMetadata snapshot) {
        raftLog.onSnapshotTaken(snapshot);
    }

    /**
     * The snapshot {@code leader} sent (§7) is received, verified and stored. Installs it: the log is reset after it
     * and the state machine restored from it, unless the log has meanwhile come to cover it. The leader is told once
     * the reset is durable.
     */
    public void snapshotReceived(NodeId leader, SnapshotMetadata snapshot) {
        long match;
        if (raftLog.installSnapshot(snapshot)) {
            out.snapshotToRestore = snapshot;
            configMaybeChanged();
            match = snapshot.index();
            log.info("{} installs snapshot {} from {}", self, snapshot, leader);
        } else {
            match = Math.max(raftLog.commitIndex(), raftLog.matches(snapshot.index(), snapshot.term())
                    ? snapshot.index() : 0);
        }
        send(new InstallSnapshotResponse(self, leader, term, snapshot.index(), InstallSnapshotResponse.Status.INSTALLED,
                match));
    }

    /** The driver read the chunk {@code read} asked for; a leader sends it if its transfer still needs it. */
    public void snapshotChunkRead(SnapshotTask.ChunkRead read, byte[] data) {
        if (role instanceof Leader l) {
            l.onSnapshotChunkRead(read, data);
        }
    }

    /** The driver could not read the snapshot for {@code read}: that transfer fails and is retried later. */
    public void snapshotReadFailed(SnapshotTask.ChunkRead read) {
        if (role instanceof Leader l) {
            l.onSnapshotReadFailed(read);
        }
    }

    /** The driver wrote a chunk of the snapshot being received: the leader is asked for the next. */
    public void snapshotChunkWritten(SnapshotTask.ChunkWrite write) {
        receiver.onWritten(write, term);
    }

    /**
     * The driver verified and stored the snapshot whose {@code last} chunk it wrote, as {@code stored}; it is
     * installed ({@link #snapshotReceived}).
     */
    public void snapshotStored(SnapshotTask.ChunkWrite last, SnapshotMetadata stored) {
        receiver.onStored(last);
        snapshotReceived(last.leader(), stored);
    }

    /** The driver could not store the snapshot being received: the leader is told, so it starts over later. */
    public void snapshotWriteFailed(SnapshotTask.ChunkWrite write) {
        receiver.onWriteFailed(write, term);
    }

    /** The entries a Ready's {@link Ready#loads() load} asked for were read: the leader sends them if still due. */
    public void entriesLoaded(EntryLoad load, List<LogEntry> entries) {
        if (role instanceof Leader l && load.term() == term) {
            l.onEntriesLoaded(load, entries);
        }
    }

    /** The entries of {@code load} could not be read: they were compacted or truncated away meanwhile. */
    public void entryLoadFailed(EntryLoad load) {
        if (role instanceof Leader l && load.term() == term) {
            l.onEntryLoadFailed(load);
        }
    }

    /** The transport reports {@code peer} unreachable. */
    public void peerUnreachable(NodeId peer) {
        role.onPeerUnreachable(peer);
    }

    // ---- outputs ------------------------------------------------------------------------------------------------

    /** Whether {@link #ready()} has anything. A pure question: asking changes nothing. */
    public boolean hasReady() {
        // The configuration first: the role's answer may read the voters, which refreshes the cached configuration.
        return raftLog.config() != cachedConfig || role.hasHeldBack() || hardStateDirty || raftLog.hasUnstable()
                || raftLog.hasEntriesToApply() || !out.isEmpty() || softStateChanged();
    }

    private boolean softStateChanged() {
        SoftState r = reportedSoftState;
        return r.role() != role.role() || r.term() != term || !java.util.Objects.equals(r.leader(), leader)
                || r.membershipIndex() != membershipIndex() || r.membership() != membership();
    }

    /**
     * Hands out the accumulated work. The caller must write the entries to storage (truncating it from
     * {@link Ready#firstIndex()} first if needed) before it next calls the engine.
     */
    public Ready ready() {
        role.flush();
        configMaybeChanged();
        HardState hs = hardStateDirty ? new HardState(term, votedFor) : null;
        hardStateDirty = false;
        // Committed entries first: they may still be in the unstable tail, which takeUnstable hands over.
        List<LogEntry> committed = raftLog.takeEntriesToApply(MAX_APPLY_BATCH_BYTES);
        long firstIndex = raftLog.unstableOffset();
        boolean logReset = raftLog.resetPending();
        List<LogEntry> entries = raftLog.takeUnstable();
        SoftState changed = null;
        if (softStateChanged()) {
            changed = softState();
            reportedSoftState = changed;
        }
        SnapshotWork snapshots = out.takeSnapshotWork();
        Ready ready = new Ready(hs, logReset, firstIndex, entries, out.messages, out.persistBound, committed,
                out.readStates, out.failedReads, changed, snapshots, out.adminResults, out.loads);
        out.adminResults = new ArrayList<>();
        out.loads = new ArrayList<>();
        out.messages = new ArrayList<>();
        out.persistBound = new ArrayList<>();
        out.readStates = new ArrayList<>();
        out.failedReads = new ArrayList<>();
        return ready;
    }

    // ---- state --------------------------------------------------------------------------------------------------

    public NodeId id() {
        return self;
    }

    public Role role() {
        return role.role();
    }

    public long term() {
        return term;
    }

    /** The known leader of the current term, or {@code null}. */
    public NodeId leader() {
        return leader;
    }

    public NodeId votedFor() {
        return votedFor;
    }

    public RaftLog log() {
        return raftLog;
    }

    /** The voters of the configuration in effect (incoming voters during a joint change). */
    public Set<NodeId> voters() {
        configMaybeChangedQuietly();
        return voters;
    }

    public RaftConfig config() {
        return config;
    }

    /** The current randomized election timeout in ticks. */
    public int electionTimeoutTicks() {
        return electionTimeout;
    }

    /** When leader, each follower's match index; otherwise empty. */
    public Map<NodeId, Long> matchIndexes() {
        return role instanceof Leader l ? l.matchIndexes() : Map.of();
    }

    /** Counts of elections and leader changes so far, for metrics. */
    public EngineCounters counters() {
        return counters;
    }

    public SoftState softState() {
        return new SoftState(role.role(), term, leader, membership(), membershipIndex());
    }

    /** Every other member in any role, in a stable order. */
    List<NodeId> peers() {
        configMaybeChangedQuietly();
        return peers;
    }

    /** The outgoing voters during a joint change; empty otherwise. */
    Set<NodeId> outgoingVoters() {
        configMaybeChangedQuietly();
        return outgoing;
    }

    /** Ticks since this engine started. */
    long now() {
        return now;
    }

    /** Ticks since the election timer was last reset. */
    int electionElapsed() {
        return electionElapsed;
    }

    SnapshotReceiver snapshotReceiver() {
        return receiver;
    }

    LeadershipTransfer leadershipTransfer() {
        return transfer;
    }

    long newTransferId() {
        return ++transferIds;
    }

    /** Routes a message to whatever role is current (after a transition). */
    void redeliver(RaftMessage message) {
        role.onMessage(message);
    }

    /** Records the leader of the current term, which a follower learns from its messages. */
    void setLeader(NodeId newLeader) {
        if (leader != null && !leader.equals(newLeader)) {
            throw new IllegalStateException(self + " sees two leaders in term " + term + ": " + leader + " and "
                    + newLeader);
        }
        leader = newLeader;
        counters.leaderKnown(newLeader);
        checkTransfer();
    }

    @Override
    public String toString() {
        return self + "[" + role.role() + " term=" + term + " vote=" + votedFor + " leader=" + leader + " " + raftLog
                + "]";
    }

    // ---- rules shared by every role -----------------------------------------------------------------------------

    private boolean inLease() {
        return config.checkQuorum() && leader != null && electionElapsed < config.electionTimeoutMinTicks();
    }

    private void rejectStale(RaftMessage m) {
        // Answer with our term so that a stale leader or candidate learns it is stale and steps down (§5.1).
        if (m instanceof AppendEntriesRequest a) {
            send(new AppendEntriesResponse(self, a.from(), term, false, a.prevLogIndex(), 0, 0));
        } else if (m instanceof Heartbeat h) {
            send(new HeartbeatResponse(self, h.from(), term, 0, raftLog.lastIndex()));
        } else if (m instanceof VoteRequest v) {
            send(new VoteResponse(self, v.from(), term, false, v.preVote()));
        } else if (m instanceof InstallSnapshotRequest r) {
            send(new InstallSnapshotResponse(self, r.from(), term, r.snapshot().index(),
                    InstallSnapshotResponse.Status.REJECTED, 0));
        }
    }

    /** RequestVote (§5.2, §5.4.1), and its pre-vote form (thesis §9.6). */
    private void onVoteRequest(VoteRequest v) {
        boolean canVote = v.from().equals(votedFor)
                || (votedFor == null && leader == null)
                || (v.preVote() && v.term() > term);
        boolean grant = canVote && raftLog.isUpToDate(v.lastLogIndex(), v.lastLogTerm());
        if (grant && !v.preVote()) {
            votedFor = v.from();
            hardStateDirty = true;
            resetElectionTimer();
        }
        long replyTerm = grant && v.preVote() ? v.term() : term;
        log.debug("{} {} {} to {} for term {}", self, grant ? "grants" : "denies", v.preVote() ? "pre-vote" : "vote",
                v.from(), v.term());
        send(new VoteResponse(self, v.from(), replyTerm, grant, v.preVote()));
    }

    void send(RaftMessage m) {
        // A leader's messages claim nothing about its own durable state, so they may leave before its writes
        // complete; everyone else's (votes, acknowledgements) must wait for them.
        if (role.role() == Role.LEADER) {
            out.messages.add(m);
        } else {
            out.persistBound.add(m);
        }
    }

    void resetElectionTimer() {
        electionElapsed = 0;
        int min = config.electionTimeoutMinTicks();
        electionTimeout = min + random.nextInt(config.electionTimeoutMaxTicks() - min);
    }

    private void changeRole(RoleBehaviour next) {
        RoleBehaviour previous = role;
        role = next;
        previous.onExit();
    }

    void becomeFollower(long newTerm, NodeId newLeader) {
        becomeFollowerOf(newTerm, newLeader);
        checkTransfer();
    }

    private void checkTransfer() {
        report(transfer.onLeaderKnown());
    }

    private void becomeFollowerOf(long newTerm, NodeId newLeader) {
        if (newTerm < term) {
            throw new IllegalStateException(self + " cannot go back from term " + term + " to " + newTerm);
        }
        Role previous = role.role();
        if (newTerm > term) {
            term = newTerm;
            votedFor = null;
            hardStateDirty = true;
        }
        leader = newLeader;
        counters.leaderKnown(newLeader);
        changeRole(new Follower(context));
        // Figure 2: the election timer restarts on hearing from a leader or granting a vote, not on merely seeing a
        // newer term. A follower that restarted it for every vote request it refuses could be kept from ever
        // campaigning by candidates that cannot win (a removed server without PreVote, a node with a stale log),
        // while it is the one server whose log could win.
        if (newLeader != null || previous == Role.LEADER) {
            resetElectionTimer();
        }
        if (previous != Role.FOLLOWER) {
            log.info("{} became follower in term {} (was {}); leader {}", self, term, previous,
                    leader == null ? "unknown" : leader);
        }
    }

    void campaign(boolean transfer) {
        if (config.preVote() && !transfer) {
            leader = null;
            PreCandidate pre = new PreCandidate(context);
            changeRole(pre);
            counters.preVoteStarted();
            resetElectionTimer();
            log.info("{} starts a pre-vote for term {} (last log {}@{})", self, term + 1, raftLog.lastIndex(),
                    raftLog.lastTerm());
            pre.start();
        } else {
            becomeCandidate(transfer);
        }
    }

    void becomeCandidate(boolean transfer) {
        term++;
        votedFor = self;
        leader = null;
        hardStateDirty = true;
        Candidate candidate = new Candidate(context, transfer);
        changeRole(candidate);
        counters.electionStarted();
        resetElectionTimer();
        log.info("{} starts an election for term {} (last log {}@{}){}", self, term, raftLog.lastIndex(),
                raftLog.lastTerm(), transfer ? ", handed leadership by the leader" : "");
        candidate.start();
    }

    void becomeLeader() {
        if (role.role() != Role.CANDIDATE) {
            throw new IllegalStateException(self + " can only become leader from candidate, was " + role.role());
        }
        leader = self;
        Leader l = new Leader(context);
        changeRole(l);
        counters.electionWon();
        counters.leaderKnown(self);
        electionElapsed = 0;
        l.start();
        log.info("{} became leader of term {} (no-op at {})", self, term, l.termStartIndex());
        checkTransfer();
    }
}
