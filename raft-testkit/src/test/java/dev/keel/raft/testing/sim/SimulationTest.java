package dev.keel.raft.testing.sim;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the cluster simulator over many seeds. {@code -Dkeel.sim.seeds=N} sets how many (default 500),
 * {@code -Dkeel.sim.firstSeed=S} where they start (default 1), {@code -Dkeel.sim.seed=S} replays exactly one seed
 * and prints its timeline, {@code -Dkeel.sim.duration=60s} the virtual time with faults per seed.
 */
class SimulationTest {
    private static final Duration DURATION = Duration.parse("PT" + System.getProperty("keel.sim.duration", "60s"));

    private static SimulationConfig configFor(long seed) {
        // Odd seeds run 3 servers, even seeds 5.
        return SimulationConfig.standard(seed, seed % 2 == 1 ? 3 : 5, DURATION);
    }

    @Test
    void everySeedHoldsEverySafetyPropertyAndRecoversAfterFaults() throws Exception {
        String single = System.getProperty("keel.sim.seed");
        if (single != null && !single.isBlank()) {
            SimulationResult r = Simulation.run(configFor(Long.parseLong(single.trim())));
            System.out.println(String.join("\n", r.timeline()));
            System.out.println(r.report());
            assertThat(r.ok()).as(r.report()).isTrue();
            return;
        }
        int seeds = Integer.getInteger("keel.sim.seeds", 500);
        long first = Long.getLong("keel.sim.firstSeed", 1L);
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<SimulationResult>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (long seed = first; seed < first + seeds; seed++) {
            SimulationConfig c = configFor(seed);
            futures.add(pool.submit(() -> Simulation.run(c)));
        }
        List<SimulationResult> failures = new ArrayList<>();
        Map<Fault, Integer> fired = new EnumMap<>(Fault.class);
        long writes = 0;
        long reads = 0;
        long crashes = 0;
        long elections = 0;
        long checks = 0;
        long restored = 0;
        long chunks = 0;
        long loads = 0;
        long loadsFailed = 0;
        long historyOps = 0;
        long slowestCheck = 0;
        long sessionsOpened = 0;
        long sessionOk = 0;
        long sessionIndeterminate = 0;
        long sessionFailed = 0;
        long sessionsExpired = 0;
        List<Long> seedsWithoutSessionWork = new ArrayList<>();
        Map<String, Integer> sessionFailures = new java.util.TreeMap<>();
        for (Future<SimulationResult> f : futures) {
            SimulationResult r = f.get();
            if (!r.ok()) {
                failures.add(r);
                System.out.println(r.report());
            }
            r.faults().forEach((k, v) -> fired.merge(k, v, Integer::sum));
            writes += r.stats().writesOk;
            reads += r.stats().readsOk;
            crashes += r.stats().crashes;
            elections += r.stats().elections;
            checks += r.stats().invariantChecks;
            restored += r.stats().snapshotsRestored;
            chunks += r.stats().snapshotChunksDelivered;
            loads += r.stats().entryLoads;
            loadsFailed += r.stats().entryLoadsFailed;
            historyOps += r.history().size();
            slowestCheck = Math.max(slowestCheck, r.stats().linearizabilityMillis);
            sessionsOpened += r.stats().sessionsOpened;
            sessionOk += r.stats().sessionCommandsOk;
            sessionIndeterminate += r.stats().sessionCommandsIndeterminate;
            sessionFailed += r.stats().sessionCommandsFailed;
            sessionsExpired += r.stats().sessionsExpired;
            r.stats().sessionFailures.forEach((k, v) -> sessionFailures.merge(k, v, Integer::sum));
            if (r.stats().sessionsOpened == 0 || r.stats().sessionCommandsOk == 0) {
                seedsWithoutSessionWork.add(r.seed());
            }
        }
        pool.shutdown();
        System.out.printf("simulation: %d seeds, %d violations (seeds %d..%d, %s virtual each, %.1f s wall; "
                        + "%d writes and %d reads acknowledged, %d leaders elected, %d crashes, %d snapshots restored, %d snapshot chunks, "
                        + "%d checks; %d client operations checked linearizable, slowest check %d ms; faults %s; "
                        + "sessions: %d opened, %d expired under their clients, commands %d acknowledged exactly once, "
                        + "%d indeterminate, %d failed; failures by kind %s; log reads off the event loop: %d, "
                        + "%d found their entries compacted)%n",
                seeds, failures.size(), first, first + seeds - 1, DURATION, (System.nanoTime() - start) / 1e9,
                writes, reads, elections, crashes, restored, chunks, checks, historyOps, slowestCheck, fired,
                sessionsOpened, sessionsExpired, sessionOk, sessionIndeterminate, sessionFailed, sessionFailures,
                loads, loadsFailed);
        assertThat(failures).as("failing seeds: %s", failures.stream().map(SimulationResult::seed).toList()).isEmpty();
        assertThat(fired.keySet()).as("fault families that fired").containsExactlyInAnyOrder(Fault.values());
        assertThat(restored).as("state machines restored from snapshots (at restart or by InstallSnapshot)")
                .isPositive();
        assertThat(chunks).as("InstallSnapshot chunks delivered").isPositive();
        assertThat(loads).as("entries a leader read off its event loop for lagging followers").isPositive();
        assertThat(seedsWithoutSessionWork).as("seeds in which no session command was acknowledged").isEmpty();
    }

    @Test
    void twoRunsOfOneSeedProduceTheSameTrace() {
        SimulationConfig config = SimulationConfig.standard(4242, 5, Duration.ofSeconds(60));
        SimulationResult a = Simulation.run(config);
        SimulationResult b = Simulation.run(config);
        assertThat(a.ok()).as(a.report()).isTrue();
        assertThat(b.traceHash()).isEqualTo(a.traceHash());
        assertThat(b.events()).isEqualTo(a.events());
        assertThat(b.timeline()).isEqualTo(a.timeline());
        SimulationResult other = Simulation.run(config.withSeed(4243));
        assertThat(other.traceHash()).as("a different seed gives a different run").isNotEqualTo(a.traceHash());
    }
}
