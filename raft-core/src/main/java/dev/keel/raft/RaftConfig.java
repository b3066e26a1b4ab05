package dev.keel.raft;

import java.time.Duration;
import java.util.Objects;

/**
 * The tuning of one Raft server: timing, batching and flow-control limits, and the optional protocol extensions.
 * Immutable; build it with {@link #builder()}, which rejects a bad value at once with a message saying what to fix.
 *
 * <p>Time is counted by the engine in ticks of {@link #tickInterval()}: every other duration is rounded up to a
 * whole number of ticks.
 */
public final class RaftConfig {
    private final Duration tickInterval;
    private final Duration heartbeatInterval;
    private final Duration electionTimeoutMin;
    private final Duration electionTimeoutMax;
    private final int maxEntriesBytesPerMessage;
    private final int maxInflightMessages;
    private final int maxPendingProposals;
    private final int maxPendingReads;
    private final int maxUncommittedEntries;
    private final int inboxCapacity;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final long snapshotInterval;
    private final long snapshotLogBytes;
    private final long logRetention;
    private final int snapshotChunkBytes;
    private final int snapshotInflightChunks;
    private final long snapshotBytesPerSecond;
    private final long catchUpMaxLag;
    private final Duration catchUpTimeout;
    private final boolean forwarding;
    private final int maxInflightForwards;
    private final Duration forwardTimeout;
    private final Duration sessionTimeout;
    private final int maxSessions;
    private final int sessionMaxPending;
    private final long sessionMaxCachedBytes;
    private final Duration sessionDeadline;

    private RaftConfig(Builder b) {
        this.tickInterval = b.tickInterval;
        this.heartbeatInterval = b.heartbeatInterval;
        this.electionTimeoutMin = b.electionTimeoutMin;
        this.electionTimeoutMax = b.electionTimeoutMax;
        this.maxEntriesBytesPerMessage = b.maxEntriesBytesPerMessage;
        this.maxInflightMessages = b.maxInflightMessages;
        this.maxPendingProposals = b.maxPendingProposals;
        this.maxPendingReads = b.maxPendingReads;
        this.maxUncommittedEntries = b.maxUncommittedEntries;
        this.inboxCapacity = b.inboxCapacity;
        this.preVote = b.preVote;
        this.checkQuorum = b.checkQuorum;
        this.snapshotInterval = b.snapshotInterval;
        this.snapshotLogBytes = b.snapshotLogBytes;
        this.logRetention = b.logRetention;
        this.snapshotChunkBytes = b.snapshotChunkBytes;
        this.snapshotInflightChunks = b.snapshotInflightChunks;
        this.snapshotBytesPerSecond = b.snapshotBytesPerSecond;
        this.catchUpMaxLag = b.catchUpMaxLag;
        this.catchUpTimeout = b.catchUpTimeout;
        this.forwarding = b.forwarding;
        this.maxInflightForwards = b.maxInflightForwards;
        this.forwardTimeout = b.forwardTimeout;
        this.sessionTimeout = b.sessionTimeout;
        this.maxSessions = b.maxSessions;
        this.sessionMaxPending = b.sessionMaxPending;
        this.sessionMaxCachedBytes = b.sessionMaxCachedBytes;
        this.sessionDeadline = b.sessionDeadline;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: heartbeat 100 ms, election timeout 1-2 s, PreVote and CheckQuorum on. */
    public static RaftConfig defaults() {
        return builder().build();
    }

    /** A builder initialised with this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tickInterval = tickInterval;
        b.heartbeatInterval = heartbeatInterval;
        b.electionTimeoutMin = electionTimeoutMin;
        b.electionTimeoutMax = electionTimeoutMax;
        b.maxEntriesBytesPerMessage = maxEntriesBytesPerMessage;
        b.maxInflightMessages = maxInflightMessages;
        b.maxPendingProposals = maxPendingProposals;
        b.maxPendingReads = maxPendingReads;
        b.maxUncommittedEntries = maxUncommittedEntries;
        b.inboxCapacity = inboxCapacity;
        b.preVote = preVote;
        b.checkQuorum = checkQuorum;
        b.snapshotInterval = snapshotInterval;
        b.snapshotLogBytes = snapshotLogBytes;
        b.logRetention = logRetention;
        b.snapshotChunkBytes = snapshotChunkBytes;
        b.snapshotInflightChunks = snapshotInflightChunks;
        b.snapshotBytesPerSecond = snapshotBytesPerSecond;
        b.catchUpMaxLag = catchUpMaxLag;
        b.catchUpTimeout = catchUpTimeout;
        b.forwarding = forwarding;
        b.maxInflightForwards = maxInflightForwards;
        b.forwardTimeout = forwardTimeout;
        b.sessionTimeout = sessionTimeout;
        b.maxSessions = maxSessions;
        b.sessionMaxPending = sessionMaxPending;
        b.sessionMaxCachedBytes = sessionMaxCachedBytes;
        b.sessionDeadline = sessionDeadline;
        return b;
    }

    /** The engine's unit of time. Default 10 ms. */
    public Duration tickInterval() {
        return tickInterval;
    }

    /** How often a leader sends heartbeats. Default 100 ms. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** Lower bound (inclusive) of the randomized election timeout (Raft §5.2). Default 1 s. */
    public Duration electionTimeoutMin() {
        return electionTimeoutMin;
    }

    /** Upper bound (exclusive) of the randomized election timeout. Default 2 s. */
    public Duration electionTimeoutMax() {
        return electionTimeoutMax;
    }

    /** Most bytes of entries in one AppendEntries message (one entry is always allowed). Default 1 MiB. */
    public int maxEntriesBytesPerMessage() {
        return maxEntriesBytesPerMessage;
    }

    /** Most unacknowledged AppendEntries in flight to one follower (the pipeline window). Default 256. */
    public int maxInflightMessages() {
        return maxInflightMessages;
    }

    /**
     * Most submits on this server accepted but not yet answered (applied, refused or failed), counting those forwarded
     * to the leader; beyond it, a submit fails at once with {@link dev.keel.raft.exception.ServerBusyException}.
     * Default 10,000.
     */
    public int maxPendingProposals() {
        return maxPendingProposals;
    }

    /**
     * Most linearizable reads on this server accepted but not yet answered; beyond it, a read fails at once with
     * {@link dev.keel.raft.exception.ServerBusyException}. Default 10,000.
     */
    public int maxPendingReads() {
        return maxPendingReads;
    }

    /**
     * Most entries a leader holds in its log beyond the commit index; a command that would exceed it is refused as
     * busy, so that a leader that cannot reach a quorum stops growing its log. Default 10,000.
     */
    public int maxUncommittedEntries() {
        return maxUncommittedEntries;
    }

    /**
     * The bound of the event loop's inbox, applied separately to client operations (submits, reads, session and
     * membership operations, leadership transfers) and to inbound Raft messages waiting to be run. A client operation
     * beyond it fails at once with {@link dev.keel.raft.exception.ServerBusyException}; an inbound message beyond it
     * is dropped and counted, as a lossy network might have dropped it (Raft resends). The completions of the loop's
     * own work (storage writes, applied entries, snapshots) are never refused, and at most one tick waits at a time.
     * Default 65,536.
     */
    public int inboxCapacity() {
        return inboxCapacity;
    }

    /** Whether a server runs a pre-vote before starting an election (thesis §9.6). Default true. */
    public boolean preVote() {
        return preVote;
    }

    /**
     * Whether a leader steps down when it has not heard from a majority within an election timeout, and followers
     * that heard from a leader within one ignore vote requests (thesis §6.2, §9.6). Default true.
     */
    public boolean checkQuorum() {
        return checkQuorum;
    }

    /** A snapshot is taken after this many entries applied since the last one. Default 100,000. */
    public long snapshotInterval() {
        return snapshotInterval;
    }

    /** ... or after this many bytes of log entries applied since the last one, whichever comes first. Default 256 MiB. */
    public long snapshotLogBytes() {
        return snapshotLogBytes;
    }

    /**
     * Entries kept in the log before a new snapshot when compacting, so that followers only slightly behind catch up
     * from the log instead of receiving a whole snapshot. Default 10,000.
     */
    public long logRetention() {
        return logRetention;
    }

    /** Size of one InstallSnapshot chunk. Default 256 KiB (below G1's humongous-object size on small heaps). */
    public int snapshotChunkBytes() {
        return snapshotChunkBytes;
    }

    /** Chunks sent ahead of the follower's acknowledgements during a snapshot transfer. Default 16. */
    public int snapshotInflightChunks() {
        return snapshotInflightChunks;
    }

    /**
     * Upper bound, in bytes per second, on the rate at which this server as leader streams snapshots (all its transfers
     * together); 0 means unlimited (the default).
     */
    public long snapshotBytesPerSecond() {
        return snapshotBytesPerSecond;
    }

    /**
     * A new voter is promoted from learner once it is at most this many entries behind the leader (thesis §4.2.1).
     * Default 1,000.
     */
    public long catchUpMaxLag() {
        return catchUpMaxLag;
    }

    /** How long a membership change waits for new voters to catch up before it fails. Default 60 s. */
    public Duration catchUpTimeout() {
        return catchUpTimeout;
    }

    /**
     * Whether a follower forwards what it is asked to do (submits, session operations, membership changes, leadership
     * transfers) to the leader over the Raft transport, and relays the answer. Default true. When false, those
     * operations fail on a follower with {@link dev.keel.raft.exception.NotLeaderException}, which names the leader
     * and its address. Reads never need it: a follower serves them itself after asking the leader for a read index.
     */
    public boolean forwarding() {
        return forwarding;
    }

    /**
     * Most forwarded requests in flight at once from this server to the leader and, on the leader, from one follower;
     * beyond it they fail fast as busy. Default 1,000.
     */
    public int maxInflightForwards() {
        return maxInflightForwards;
    }

    /**
     * How long a follower waits for the leader's answer to a forwarded request before it fails it as indeterminate
     * (the answer or the request was lost); membership changes wait {@link #catchUpTimeout()} longer. A change of
     * leader or term fails forwarded requests at once, without waiting for this. Default 10 s.
     */
    public Duration forwardTimeout() {
        return forwardTimeout;
    }

    /**
     * A client session expires when none of its requests reached the log for this long, in log time (the leader's
     * clock stamped into the log). An idle session sends a keep-alive every third of it. The leader's value when a
     * session opens applies to that session on every replica. Default 2 minutes.
     */
    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    /** Most client sessions open at once (the leader's value applies); opening one more fails. Default 10,000. */
    public int maxSessions() {
        return maxSessions;
    }

    /**
     * Most commands of one session in flight at once, and most results the cluster keeps for one session until its
     * client acknowledges them (the leader's value when the session opens applies). Default 64.
     */
    public int sessionMaxPending() {
        return sessionMaxPending;
    }

    /**
     * About how many bytes of unacknowledged results the cluster keeps for one session: beyond it, the session's next
     * command waits until earlier results are acknowledged (a single result may exceed it). Default 1 MiB.
     */
    public long sessionMaxCachedBytes() {
        return sessionMaxCachedBytes;
    }

    /** How long a session retries a command when the caller gives no deadline. Default 30 s. */
    public Duration sessionDeadline() {
        return sessionDeadline;
    }

    /** {@link #forwardTimeout()} in ticks. */
    public long forwardTimeoutTicks() {
        return ticks(forwardTimeout);
    }

    /** {@link #catchUpTimeout()} in ticks. */
    public long catchUpTimeoutTicks() {
        return ticks(catchUpTimeout);
    }

    /** {@link #heartbeatInterval()} in ticks, at least 1. */
    public int heartbeatTicks() {
        return ticks(heartbeatInterval);
    }

    /** {@link #electionTimeoutMin()} in ticks. */
    public int electionTimeoutMinTicks() {
        return ticks(electionTimeoutMin);
    }

    /** {@link #electionTimeoutMax()} in ticks; always greater than {@link #electionTimeoutMinTicks()}. */
    public int electionTimeoutMaxTicks() {
        return Math.max(ticks(electionTimeoutMax), electionTimeoutMinTicks() + 1);
    }

    private int ticks(Duration d) {
        long tick = tickInterval.toNanos();
        return (int) Math.max(1, (d.toNanos() + tick - 1) / tick);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RaftConfig c && tickInterval.equals(c.tickInterval)
                && heartbeatInterval.equals(c.heartbeatInterval) && electionTimeoutMin.equals(c.electionTimeoutMin)
                && electionTimeoutMax.equals(c.electionTimeoutMax)
                && maxEntriesBytesPerMessage == c.maxEntriesBytesPerMessage
                && maxInflightMessages == c.maxInflightMessages && maxPendingProposals == c.maxPendingProposals
                && maxPendingReads == c.maxPendingReads && maxUncommittedEntries == c.maxUncommittedEntries
                && inboxCapacity == c.inboxCapacity
                && preVote == c.preVote && checkQuorum == c.checkQuorum && snapshotInterval == c.snapshotInterval
                && snapshotLogBytes == c.snapshotLogBytes && logRetention == c.logRetention
                && snapshotChunkBytes == c.snapshotChunkBytes && snapshotInflightChunks == c.snapshotInflightChunks
                && snapshotBytesPerSecond == c.snapshotBytesPerSecond && catchUpMaxLag == c.catchUpMaxLag
                && catchUpTimeout.equals(c.catchUpTimeout) && forwarding == c.forwarding
                && maxInflightForwards == c.maxInflightForwards && forwardTimeout.equals(c.forwardTimeout)
                && sessionTimeout.equals(c.sessionTimeout) && maxSessions == c.maxSessions
                && sessionMaxPending == c.sessionMaxPending && sessionMaxCachedBytes == c.sessionMaxCachedBytes
                && sessionDeadline.equals(c.sessionDeadline);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tickInterval, heartbeatInterval, electionTimeoutMin, electionTimeoutMax,
                maxEntriesBytesPerMessage, maxInflightMessages, maxPendingProposals, maxPendingReads,
                maxUncommittedEntries, inboxCapacity, preVote, checkQuorum,
                snapshotInterval, snapshotLogBytes, logRetention, snapshotChunkBytes, snapshotInflightChunks,
                snapshotBytesPerSecond, catchUpMaxLag, catchUpTimeout, forwarding, maxInflightForwards, forwardTimeout,
                sessionTimeout, maxSessions, sessionMaxPending, sessionMaxCachedBytes, sessionDeadline);
    }

    @Override
    public String toString() {
        return "RaftConfig{tick=" + tickInterval.toMillis() + "ms, heartbeat=" + heartbeatInterval.toMillis()
                + "ms, electionTimeout=[" + electionTimeoutMin.toMillis() + "ms, " + electionTimeoutMax.toMillis()
                + "ms), maxEntriesBytesPerMessage=" + maxEntriesBytesPerMessage + ", maxInflightMessages="
                + maxInflightMessages + ", maxPendingProposals=" + maxPendingProposals + ", maxPendingReads="
                + maxPendingReads + ", maxUncommittedEntries=" + maxUncommittedEntries + ", inboxCapacity="
                + inboxCapacity + ", preVote=" + preVote
                + ", checkQuorum=" + checkQuorum + ", snapshotInterval=" + snapshotInterval + ", snapshotLogBytes="
                + snapshotLogBytes + ", logRetention=" + logRetention + ", snapshotChunkBytes=" + snapshotChunkBytes
                + ", snapshotInflightChunks=" + snapshotInflightChunks + ", snapshotBytesPerSecond="
                + snapshotBytesPerSecond + ", catchUpMaxLag=" + catchUpMaxLag + ", catchUpTimeout="
                + catchUpTimeout.toMillis() + "ms, forwarding=" + forwarding + ", maxInflightForwards="
                + maxInflightForwards + ", forwardTimeout=" + forwardTimeout.toMillis() + "ms, sessionTimeout="
                + sessionTimeout.toMillis() + "ms, maxSessions=" + maxSessions + ", sessionMaxPending="
                + sessionMaxPending + ", sessionMaxCachedBytes=" + sessionMaxCachedBytes + ", sessionDeadline="
                + sessionDeadline.toMillis() + "ms}";
    }

    /**
     * Builds a {@link RaftConfig}. Each setter rejects an invalid value at once; {@link #build()} checks how the
     * values relate to each other.
     */
    public static final class Builder {
        private static final Duration MAX_DURATION = Duration.ofHours(1);

        private Duration tickInterval = Duration.ofMillis(10);
        private Duration heartbeatInterval = Duration.ofMillis(100);
        private Duration electionTimeoutMin = Duration.ofMillis(1000);
        private Duration electionTimeoutMax = Duration.ofMillis(2000);
        private int maxEntriesBytesPerMessage = 1 << 20;
        private int maxInflightMessages = 256;
        private int maxPendingProposals = 10_000;
        private int maxPendingReads = 10_000;
        private int maxUncommittedEntries = 10_000;
        private int inboxCapacity = 1 << 16;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        private long snapshotInterval = 100_000;
        private long snapshotLogBytes = 256L << 20;
        private long logRetention = 10_000;
        private int snapshotChunkBytes = 256 << 10;
        private int snapshotInflightChunks = 16;
        private long snapshotBytesPerSecond;
        private long catchUpMaxLag = 1000;
        private Duration catchUpTimeout = Duration.ofSeconds(60);
        private boolean forwarding = true;
        private int maxInflightForwards = 1000;
        private Duration forwardTimeout = Duration.ofSeconds(10);
        private Duration sessionTimeout = Duration.ofMinutes(2);
        private int maxSessions = 10_000;
        private int sessionMaxPending = 64;
        private long sessionMaxCachedBytes = 1L << 20;
        private Duration sessionDeadline = Duration.ofSeconds(30);

        private Builder() {
        }

        /** See {@link RaftConfig#tickInterval()}; between 1 ms and 1 hour. */
        public Builder tickInterval(Duration value) {
            this.tickInterval = checkDuration("tickInterval", value, Duration.ofMillis(1));
            return this;
        }

        /** See {@link RaftConfig#heartbeatInterval()}; between 1 ms and 1 hour. */
        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = checkDuration("heartbeatInterval", value, Duration.ofMillis(1));
            return this;
        }

        /** Sets both bounds of the randomized election timeout, {@code [min, max)}. */
        public Builder electionTimeout(Duration min, Duration max) {
            this.electionTimeoutMin = checkDuration("electionTimeoutMin", min, Duration.ofMillis(1));
            this.electionTimeoutMax = checkDuration("electionTimeoutMax", max, Duration.ofMillis(1));
            return this;
        }

        /** See {@link RaftConfig#maxEntriesBytesPerMessage()}; between 64 bytes and 64 MiB. */
        public Builder maxEntriesBytesPerMessage(int value) {
            this.maxEntriesBytesPerMessage = checkRange("maxEntriesBytesPerMessage", value, 64, 64 << 20);
            return this;
        }

        /** See {@link RaftConfig#maxInflightMessages()}; between 1 and 65,536. */
        public Builder maxInflightMessages(int value) {
            this.maxInflightMessages = checkRange("maxInflightMessages", value, 1, 65_536);
            return this;
        }

        /** See {@link RaftConfig#maxPendingProposals()}; between 1 and 10,000,000. */
        public Builder maxPendingProposals(int value) {
            this.maxPendingProposals = checkRange("maxPendingProposals", value, 1, 10_000_000);
            return this;
        }

        /** See {@link RaftConfig#maxPendingReads()}; between 1 and 10,000,000. */
        public Builder maxPendingReads(int value) {
            this.maxPendingReads = checkRange("maxPendingReads", value, 1, 10_000_000);
            return this;
        }

        /** See {@link RaftConfig#maxUncommittedEntries()}; between 1 and 10,000,000. */
        public Builder maxUncommittedEntries(int value) {
            this.maxUncommittedEntries = checkRange("maxUncommittedEntries", value, 1, 10_000_000);
            return this;
        }

        /** See {@link RaftConfig#inboxCapacity()}; between 16 and 10,000,000. */
        public Builder inboxCapacity(int value) {
            this.inboxCapacity = checkRange("inboxCapacity", value, 16, 10_000_000);
            return this;
        }

        /** See {@link RaftConfig#preVote()}. */
        public Builder preVote(boolean value) {
            this.preVote = value;
            return this;
        }

        /** See {@link RaftConfig#checkQuorum()}. */
        public Builder checkQuorum(boolean value) {
            this.checkQuorum = value;
            return this;
        }

        /** See {@link RaftConfig#snapshotInterval()}; at least 1. */
        public Builder snapshotInterval(long entries) {
            this.snapshotInterval = checkRange("snapshotInterval", entries, 1, Long.MAX_VALUE);
            return this;
        }

        /** See {@link RaftConfig#snapshotLogBytes()}; at least 1. */
        public Builder snapshotLogBytes(long bytes) {
            this.snapshotLogBytes = checkRange("snapshotLogBytes", bytes, 1, Long.MAX_VALUE);
            return this;
        }

        /** See {@link RaftConfig#logRetention()}; at least 0. */
        public Builder logRetention(long entries) {
            this.logRetention = checkRange("logRetention", entries, 0, Long.MAX_VALUE);
            return this;
        }

        /** See {@link RaftConfig#snapshotChunkBytes()}; between 1 byte and 16 MiB (keep it below the transport's frame limit). */
        public Builder snapshotChunkBytes(int bytes) {
            this.snapshotChunkBytes = checkRange("snapshotChunkBytes", bytes, 1, 16 << 20);
            return this;
        }

        /** See {@link RaftConfig#snapshotInflightChunks()}; between 1 and 1,024. */
        public Builder snapshotInflightChunks(int chunks) {
            this.snapshotInflightChunks = checkRange("snapshotInflightChunks", chunks, 1, 1024);
            return this;
        }

        /** See {@link RaftConfig#snapshotBytesPerSecond()}; 0 (unlimited) or at least 1 KiB/s. */
        public Builder snapshotBytesPerSecond(long bytesPerSecond) {
            if (bytesPerSecond != 0) {
                checkRange("snapshotBytesPerSecond", bytesPerSecond, 1024, Long.MAX_VALUE);
            }
            this.snapshotBytesPerSecond = bytesPerSecond;
            return this;
        }

        /** See {@link RaftConfig#catchUpMaxLag()}; at least 0. */
        public Builder catchUpMaxLag(long entries) {
            this.catchUpMaxLag = checkRange("catchUpMaxLag", entries, 0, Long.MAX_VALUE);
            return this;
        }

        /** See {@link RaftConfig#catchUpTimeout()}; between 1 ms and 1 hour. */
        public Builder catchUpTimeout(Duration value) {
            this.catchUpTimeout = checkDuration("catchUpTimeout", value, Duration.ofMillis(1));
            return this;
        }

        /** See {@link RaftConfig#forwarding()}. */
        public Builder forwarding(boolean value) {
            this.forwarding = value;
            return this;
        }

        /** See {@link RaftConfig#maxInflightForwards()}; between 1 and 1,000,000. */
        public Builder maxInflightForwards(int value) {
            this.maxInflightForwards = checkRange("maxInflightForwards", value, 1, 1_000_000);
            return this;
        }

        /** See {@link RaftConfig#forwardTimeout()}; between 1 ms and 1 hour. */
        public Builder forwardTimeout(Duration value) {
            this.forwardTimeout = checkDuration("forwardTimeout", value, Duration.ofMillis(1));
            return this;
        }

        /** See {@link RaftConfig#sessionTimeout()}; between 1 ms and 1 hour, at least the election timeout's maximum. */
        public Builder sessionTimeout(Duration value) {
            this.sessionTimeout = checkDuration("sessionTimeout", value, Duration.ofMillis(1));
            return this;
        }

        /** See {@link RaftConfig#maxSessions()}; between 1 and 10,000,000. */
        public Builder maxSessions(int value) {
            this.maxSessions = checkRange("maxSessions", value, 1, 10_000_000);
            return this;
        }

        /** See {@link RaftConfig#sessionMaxPending()}; between 1 and 65,536. */
        public Builder sessionMaxPending(int value) {
            this.sessionMaxPending = checkRange("sessionMaxPending", value, 1, 65_536);
            return this;
        }

        /** See {@link RaftConfig#sessionMaxCachedBytes()}; between 0 and 1 GiB. */
        public Builder sessionMaxCachedBytes(long bytes) {
            this.sessionMaxCachedBytes = checkRange("sessionMaxCachedBytes", bytes, 0, 1L << 30);
            return this;
        }

        /** See {@link RaftConfig#sessionDeadline()}; between 1 ms and 1 hour. */
        public Builder sessionDeadline(Duration value) {
            this.sessionDeadline = checkDuration("sessionDeadline", value, Duration.ofMillis(1));
            return this;
        }

        /**
         * @throws IllegalArgumentException if the heartbeat is shorter than a tick, the election timeout is not
         *                                  at least three heartbeats, or its range is empty
         */
        public RaftConfig build() {
            if (heartbeatInterval.compareTo(tickInterval) < 0) {
                throw new IllegalArgumentException("heartbeatInterval (" + heartbeatInterval.toMillis()
                        + " ms) must be at least tickInterval (" + tickInterval.toMillis() + " ms)");
            }
            if (electionTimeoutMin.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
                throw new IllegalArgumentException("electionTimeoutMin (" + electionTimeoutMin.toMillis()
                        + " ms) must be at least 3 heartbeat intervals (" + heartbeatInterval.multipliedBy(3).toMillis()
                        + " ms), or followers will start elections against a healthy leader");
            }
            if (electionTimeoutMax.compareTo(electionTimeoutMin.plus(tickInterval)) < 0) {
                throw new IllegalArgumentException("electionTimeoutMax (" + electionTimeoutMax.toMillis()
                        + " ms) must exceed electionTimeoutMin (" + electionTimeoutMin.toMillis()
                        + " ms) by at least one tick (" + tickInterval.toMillis()
                        + " ms), so that election timeouts are randomized (Raft §5.2)");
            }
            if (sessionTimeout.compareTo(electionTimeoutMax) < 0) {
                throw new IllegalArgumentException("sessionTimeout (" + sessionTimeout.toMillis() + " ms) must be at "
                        + "least electionTimeoutMax (" + electionTimeoutMax.toMillis() + " ms), or idle sessions "
                        + "expire whenever an election delays their keep-alives");
            }
            return new RaftConfig(this);
        }

        private static Duration checkDuration(String name, Duration value, Duration min) {
            Objects.requireNonNull(value, name + " must not be null");
            if (value.compareTo(min) < 0 || value.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException(name + " must be between " + min.toMillis() + " ms and 1 hour, was "
                        + value);
            }
            return value;
        }

        private static int checkRange(String name, int value, int min, int max) {
            return (int) checkRange(name, (long) value, min, max);
        }

        private static long checkRange(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        }
    }
}
