package dev.keel.raft.examples.sim;

import dev.keel.raft.testing.sim.Simulation;
import dev.keel.raft.testing.sim.SimulationConfig;
import dev.keel.raft.testing.sim.SimulationResult;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeelSimTest {

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = new CommandLine(new KeelSim()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void aShortRunPrintsElectionsFaultsCommitsAndBothVerdictsAndExitsZero() {
        Run r = run("--nodes", "3", "--seed", "7", "--duration", "15s", "--faults", "partition,crash");

        assertThat(r.status()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .containsPattern("(?m)^ +\\d+\\.\\d{3}s  n\\d starts an election for term \\d+$")
                .containsPattern("(?m)n\\d is LEADER of term \\d+ \\(votes: n\\d itself, n\\d")
                .containsPattern("(?m)FAULT PARTITION: isolating n")
                .contains("HEAL PARTITION")
                .containsPattern("(?m)CRASH n\\d")
                .containsPattern("(?m)RESTART n\\d")
                .containsPattern("(?m)\\.\\. commit index \\d+ \\(\\+\\d+\\); clients: write \\d+ ok.* \\| read \\d+ ok")
                .containsPattern("(?m)^invariants: OK \\(\\d+ checks")
                .containsPattern("(?m)^linearizability: LINEARIZABLE \\(\\d+ client operations")
                .contains("replay: keel-sim --nodes 3 --seed 7 --duration 15s --faults partition,crash");
    }

    @Test
    void theSameSeedPrintsTheSameTimeline() {
        String[] args = {"--nodes", "5", "--seed", "42", "--duration", "8s", "--faults", "partition", "--verbose"};
        Run a = run(args);
        Run b = run(args);
        assertThat(a.status()).as(a.out()).isZero();
        assertThat(a.out()).contains(" votes for ").containsPattern("client \\d+ (WRITE|READ|CAS) r\\d");
        assertThat(timelineOf(b.out())).isEqualTo(timelineOf(a.out()));
    }

    @Test
    void withTheDefaultsASeedReplaysTheRunSimulationTestMakesOfIt() {
        // SimulationTest runs SimulationConfig.standard(seed, 3 servers for odd seeds, 60 s); shorter here.
        SimulationResult ci = Simulation.run(SimulationConfig.standard(3, 3, Duration.ofSeconds(20)));
        Run r = run("--seed", "3", "--nodes", "3", "--duration", "20s");

        assertThat(r.status()).isEqualTo(ci.ok() ? KeelSim.OK : KeelSim.VIOLATION);
        List<String> notes = ci.timeline().stream().filter(line -> !line.matches("^ *[0-9.]+s n\\d+ is .*"))
                .map(line -> line.replaceFirst("s ", "s  ")).toList();
        assertThat(notes).hasSizeGreaterThan(10);
        assertThat(r.out().lines().filter(line -> !line.contains(" .. commit index ")
                        && !line.contains(" starts an election ") && !line.contains(" is LEADER of term "))
                .filter(line -> line.matches("^ *[0-9.]+s  .*")).toList())
                .isEqualTo(notes);
        assertThat(r.out()).contains("clients: " + ci.history().size() + " operations");
    }

    @Test
    void aFaultFamilyThatNeverFiredIsAViolationWithExitStatusOne() {
        // Membership changes start after 1-3 s and fire only with a leader; in 1 s of faults they cannot.
        Run r = run("--nodes", "3", "--seed", "1", "--duration", "1s", "--faults", "membership");
        assertThat(r.status()).as(r.out()).isEqualTo(KeelSim.VIOLATION);
        assertThat(r.out()).containsPattern("(?m)^invariants: VIOLATED - fault coverage: .*MEMBERSHIP")
                .contains("linearizability: NOT CHECKED");
    }

    @Test
    void anUnknownFaultIsRefusedWithTheListOfKnownOnes() {
        Run r = run("--faults", "drop,earthquake");
        assertThat(r.status()).isEqualTo(KeelSim.USAGE);
        assertThat(r.err()).contains("keel-sim: --faults: unknown fault 'earthquake'; choose from drop,delay,")
                .contains("partial-connectivity");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badDurationsAndSizesAreRefusedWithWhatToFix() {
        assertThat(run("--duration", "soon").err()).contains("--duration must look like 500ms, 30s, 2m or PT30S");
        assertThat(run("--duration", "90m").err()).contains("--duration must be between 1s and 1h");
        assertThat(run("--nodes", "0").err()).contains("--nodes must be between 1 and");
        Run r = run("--nodes", "8", "--faults", "all");
        assertThat(r.status()).isEqualTo(KeelSim.USAGE);
        assertThat(r.err()).contains("--nodes must be between 1 and 7 (membership changes need 2 spare servers)");
    }

    /** The output without its wall-clock figures, which differ between runs. */
    private static String timelineOf(String out) {
        return out.replaceAll("in [0-9.]+ s of wall time", "").replaceAll("checked in \\d+ ms", "");
    }
}
