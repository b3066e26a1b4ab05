package dev.keel.raft.storage;

import dev.keel.raft.testing.sim.Simulation;
import dev.keel.raft.testing.sim.SimulationConfig;
import dev.keel.raft.testing.sim.SimulationResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster simulator from raft-testkit (crashes, partitions, message loss, clients, invariant checks, and
 * frequent small snapshots with compaction and InstallSnapshot) with every server's log and snapshots in real
 * files. Segments are the smallest allowed so that purges by whole segment happen and lagging followers need
 * InstallSnapshot, which then goes through {@code commitVerified} and {@link FileLogStorage#reset} on real files.
 * A few seeds by default ({@code -Dkeel.storage.sim.seeds}, starting at {@code -Dkeel.storage.sim.firstSeed}); every
 * run is reported with its seed.
 */
class FileStorageSimulationTest {
    @TempDir
    Path tmp;

    @Test
    void theSimulatedClusterKeepsEverySafetyPropertyOnFileStorage() {
        int seeds = Integer.getInteger("keel.storage.sim.seeds", 3);
        long first = Long.getLong("keel.storage.sim.firstSeed", 1L);
        long restored = 0;
        long chunks = 0;
        int snapshotsReopened = 0;
        for (long seed = first; seed < first + seeds; seed++) {
            List<FileSimDisk> disks = new ArrayList<>();
            SimulationConfig config = SimulationConfig.standard(seed, seed % 2 == 1 ? 3 : 5, Duration.ofSeconds(60))
                    .withDisk(() -> {
                        FileSimDisk disk = new FileSimDisk(tmp, FsyncPolicy.ALWAYS);
                        disks.add(disk);
                        return disk;
                    });
            SimulationResult r = Simulation.run(config);
            int reopened = disks.stream().mapToInt(FileSimDisk::snapshotsFoundAtOpen).sum();
            System.out.println("file-storage simulation seed " + seed + ": " + r.report() + "; "
                    + r.stats().writesOk + " writes acknowledged, " + r.stats().crashes + " crashes, "
                    + r.stats().elections + " leaders elected, " + r.stats().snapshotsRestored
                    + " snapshots restored, " + reopened + " snapshot files found by reopened storages");
            assertThat(r.ok()).as(r.report()).isTrue();
            assertThat(r.stats().crashes).as("seed " + seed + " crashed and recovered servers").isPositive();
            assertThat(r.stats().writesOk).as("seed " + seed + " acknowledged writes").isPositive();
            restored += r.stats().snapshotsRestored;
            chunks += r.stats().snapshotChunksDelivered;
            snapshotsReopened += reopened;
        }
        assertThat(restored).as("servers restored snapshots from the files").isPositive();
        assertThat(chunks).as("followers received snapshots by InstallSnapshot (commitVerified and log reset on "
                + "files)").isPositive();
        assertThat(snapshotsReopened).as("restarted servers found their snapshot files").isPositive();
    }
}
