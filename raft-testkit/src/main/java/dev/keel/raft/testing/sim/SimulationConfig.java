package dev.keel.raft.testing.sim;

import dev.keel.raft.RaftConfig;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What one simulation run does: its seed, cluster size, how long faults go on (virtual time), which faults, how
 * many clients, and the Raft configuration of every server.
 *
 * @param seed       the seed of every random choice; same seed, same run
 * @param nodes      number of servers that start as voters
 * @param spares     number of extra servers that start outside the cluster, for membership changes to add
 * @param duration   virtual time with faults and clients, before the healing and liveness phase
 * @param faults     the fault families to inject
 * @param clients    number of concurrent clients calling the server API directly
 * @param sessionClients number of clients writing through client sessions (alternately one operation at a time on
 *                   the registers, and pipelined bursts)
 * @param keys       number of registers the clients use
 * @param raftConfig every server's configuration
 * @param disk       where servers keep their logs
 */
public record SimulationConfig(long seed, int nodes, int spares, Duration duration, Set<Fault> faults, int clients,
                               int sessionClients, int keys, RaftConfig raftConfig, Supplier<SimDisk> disk) {

    /** Fast timing for simulation: 10 ms ticks, 50 ms heartbeats, elections after 500-1000 ms; small batches. */
    public static final RaftConfig SIM_RAFT_CONFIG = RaftConfig.builder()
            .tickInterval(Duration.ofMillis(10))
            .heartbeatInterval(Duration.ofMillis(50))
            .electionTimeout(Duration.ofMillis(500), Duration.ofMillis(1000))
            .maxEntriesBytesPerMessage(1024)
            .maxInflightMessages(8)
            .maxPendingProposals(256)
            .maxPendingReads(256)
            .maxUncommittedEntries(256)
            .build();

    public SimulationConfig {
        if (nodes < 1 || nodes + spares > 9 || spares < 0) {
            throw new IllegalArgumentException("nodes must be between 1 and 9 with the spares, was " + nodes + " + "
                    + spares);
        }
        if (clients < 0 || sessionClients < 0 || keys < 1) {
            throw new IllegalArgumentException("clients and sessionClients must be >= 0 and keys >= 1");
        }
        Objects.requireNonNull(duration, "duration");
        faults = faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults);
        Objects.requireNonNull(raftConfig, "raftConfig");
        Objects.requireNonNull(disk, "disk");
    }

    /**
     * The standard run: every fault family, 5 clients on 5 registers, in-memory disks, and batching limits drawn
     * from the seed (from one entry per message and one message in flight, up to 1 KiB and 8), so that replication
     * is sometimes piecemeal and sometimes pipelined; PreVote and CheckQuorum are each off in 30% of seeds.
     */
    public static SimulationConfig standard(long seed, int nodes, Duration duration) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L);
        RaftConfig raft = SIM_RAFT_CONFIG.toBuilder()
                .maxEntriesBytesPerMessage(r.nextBoolean() ? 64 : 64 + r.nextInt(1024))
                .maxInflightMessages(1 + r.nextInt(8))
                // Without them a deposed leader lingers and terms churn: the harder cases for reads and commits.
                .preVote(r.nextInt(10) < 7)
                .checkQuorum(r.nextInt(10) < 7)
                // Frequent, small snapshots streamed in tiny chunks, and little log kept behind them: compaction,
                // lagging followers and InstallSnapshot happen in most seeds.
                .snapshotInterval(20 + r.nextInt(300))
                .logRetention(r.nextInt(100))
                // Tiny chunks in half the seeds; larger ones in the others, where Keel's part of the snapshot (the
                // session table) makes states of tens of kilobytes.
                .snapshotChunkBytes(r.nextBoolean() ? 8 + r.nextInt(56) : 256 + r.nextInt(2048))
                .snapshotInflightChunks(1 + r.nextInt(4))
                // Sessions: expiry within a run, a cap that is sometimes reached, small windows and caches so that
                // retries meet out-of-order and full sessions; lost forwards are noticed after a second.
                .forwardTimeout(Duration.ofSeconds(1))
                .sessionTimeout(Duration.ofSeconds(5 + r.nextInt(16)))
                .maxSessions(r.nextBoolean() ? 30 : 3 + r.nextInt(6))
                .sessionMaxPending(1 + r.nextInt(8))
                .sessionMaxCachedBytes(r.nextBoolean() ? 1 << 20 : 20 + r.nextInt(100))
                .sessionDeadline(Duration.ofSeconds(3))
                .build();
        return new SimulationConfig(seed, nodes, 2, duration, EnumSet.allOf(Fault.class), 5, 3, 5, raft,
                InMemorySimDisk::new);
    }

    /** The same run with another seed, e.g. to check that a different seed gives a different trace. */
    public SimulationConfig withSeed(long newSeed) {
        return new SimulationConfig(newSeed, nodes, spares, duration, faults, clients, sessionClients, keys,
                raftConfig, disk);
    }

    /** The same run injecting only {@code newFaults} (none if empty). */
    public SimulationConfig withFaults(Set<Fault> newFaults) {
        return new SimulationConfig(seed, nodes, spares, duration, newFaults, clients, sessionClients, keys,
                raftConfig, disk);
    }

    /** The same run with the servers' logs (and snapshots) on the disk {@code newDisk} makes, one disk per run. */
    public SimulationConfig withDisk(Supplier<SimDisk> newDisk) {
        return new SimulationConfig(seed, nodes, spares, duration, faults, clients, sessionClients, keys,
                raftConfig, newDisk);
    }

    /** The same run with every server configured by {@code newConfig}. */
    public SimulationConfig withRaftConfig(RaftConfig newConfig) {
        return new SimulationConfig(seed, nodes, spares, duration, faults, clients, sessionClients, keys, newConfig,
                disk);
    }
}
