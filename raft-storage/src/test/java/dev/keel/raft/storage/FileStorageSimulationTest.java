package dev.keel.raft.storage;

import dev.keel.raft.testing.sim.SimulationConfig;
import dev.keel.raft.testing.sim.SimulationResult;
import dev.keel.raft.testing.sim.Simulation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster simulator from raft-core's test-jar (crashes, partitions, message loss, clients, invariant checks)
 * with every server's log in real files. A few seeds by default ({@code -Dkeel.storage.sim.seeds}, starting at
 * {@code -Dkeel.storage.sim.firstSeed}); every run is reported with its seed.
 */
class FileStorageSimulationTest {
    @TempDir
    Path tmp;

    @Test
    void theSimulatedClusterKeepsEverySafetyPropertyOnFileStorage() {
        int seeds = Integer.getInteger("keel.storage.sim.seeds", 3);
        long first = Long.getLong("keel.storage.sim.firstSeed", 1L);
        for (long seed = first; seed < first + seeds; seed++) {
            SimulationConfig config = SimulationConfig.standard(seed, seed % 2 == 1 ? 3 : 5, Duration.ofSeconds(20))
                    .withDisk(() -> new FileSimDisk(tmp, FsyncPolicy.ALWAYS));
            SimulationResult r = Simulation.run(config);
            System.out.println("file-storage simulation seed " + seed + ": " + r.report() + "; "
                    + r.stats().writesOk + " writes acknowledged, " + r.stats().crashes + " crashes, "
                    + r.stats().elections + " leaders elected");
            assertThat(r.ok()).as(r.report()).isTrue();
            assertThat(r.stats().crashes).as("seed " + seed + " crashed and recovered servers").isPositive();
            assertThat(r.stats().writesOk).as("seed " + seed + " acknowledged writes").isPositive();
        }
    }
}
