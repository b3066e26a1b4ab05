package dev.keel.raft.testing.sim;

import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.statemachine.StateSnapshot;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The simulator with a user's state machine: a correct one passes under every fault family, and each kind of bug a
 * user's state machine can have (results that depend on something besides the commands, a snapshot that loses
 * state, a broken invariant of its own) is caught and named. Seeds are fixed, so each run replays.
 */
class StateMachineSimulationTest {

    /** A sum of 8-byte increments; apply returns the new sum. Snapshots optional and optionally lossy. */
    static class Adder implements StateMachine {
        final boolean snapshots;
        final boolean lossySnapshots;
        long sum;
        long applied;

        Adder(boolean snapshots, boolean lossySnapshots) {
            this.snapshots = snapshots;
            this.lossySnapshots = lossySnapshots;
        }

        static byte[] add(long n) {
            return ByteBuffer.allocate(8).putLong(n).array();
        }

        @Override
        public byte[] apply(long index, byte[] command) {
            sum += ByteBuffer.wrap(command).getLong();
            applied++;
            return add(sum);
        }

        @Override
        public byte[] query(byte[] query) {
            return add(sum);
        }

        @Override
        public StateSnapshot takeSnapshot() {
            if (!snapshots) {
                return null;
            }
            long frozen = lossySnapshots ? 0 : sum;
            long frozenApplied = applied;
            return out -> {
                DataOutputStream data = new DataOutputStream(out);
                data.writeLong(frozen);
                data.writeLong(frozenApplied);
                data.flush();
            };
        }

        @Override
        public void restoreSnapshot(InputStream in) throws IOException {
            DataInputStream data = new DataInputStream(in);
            sum = data.readLong();
            applied = data.readLong();
        }
    }

    private static StateMachineSimulation<Adder> adders(boolean snapshots, boolean lossy) {
        return StateMachineSimulation.of(() -> new Adder(snapshots, lossy))
                .commands(random -> Adder.add(1 + random.nextInt(100)))
                .queries(random -> new byte[0]);
    }

    @Test
    void aCorrectStateMachinePassesUnderEveryFaultWithItsOwnCheckSeeingEqualReplicas() {
        List<List<Long>> sums = new java.util.ArrayList<>();
        SimulationResult result = adders(true, false)
                .check(replicas -> sums.add(replicas.stream().map(a -> a.sum).toList()))
                .seed(3)
                .run();

        assertThat(result.ok()).as(result.report()).isTrue();
        assertThat(result.faults().keySet()).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(Fault.class));
        assertThat(result.stats().writesOk).isPositive();
        assertThat(result.stats().readsOk).isPositive();
        assertThat(result.stats().snapshotsRestored).as("snapshots sent to lagging or restarted servers")
                .isPositive();
        assertThat(sums).hasSize(1);
        assertThat(sums.get(0)).isNotEmpty().containsOnly(sums.get(0).get(0));
    }

    @Test
    void aStateMachineWithoutSnapshotsKeepsItsLogAndPasses() {
        SimulationResult result = adders(false, false).seed(4).run();
        assertThat(result.ok()).as(result.report()).isTrue();
        assertThat(result.stats().snapshotsRestored).isZero();
    }

    @Test
    void oneSeedGivesOneRun() {
        SimulationResult first = adders(true, false).seed(5).run();
        SimulationResult again = adders(true, false).seed(5).run();
        assertThat(again.traceHash()).isEqualTo(first.traceHash());
        assertThat(again.events()).isEqualTo(first.events());
    }

    @Test
    void resultsThatDependOnSomethingBesidesTheCommandsAreCaught() {
        // Each replica numbers its results with its own counter of calls: different on a replica rebuilt from a
        // snapshot, the way a clock or a random source would differ.
        Set<Object> instances = new HashSet<>();
        SimulationResult result = StateMachineSimulation.of(() -> new Adder(true, false) {
                    private final int salt = instances.size();

                    {
                        instances.add(this);
                    }

                    @Override
                    public byte[] apply(long index, byte[] command) {
                        super.apply(index, command);
                        return add(sum * 31 + salt);
                    }
                })
                .commands(random -> Adder.add(1))
                .duration(Duration.ofSeconds(10))
                .seed(6)
                .run();

        assertThat(result.ok()).isFalse();
        assertThat(result.violation().getMessage()).contains("deterministic state machine");
    }

    @Test
    void aSnapshotThatLosesStateIsCaught() {
        SimulationResult result = adders(true, true)
                .check(replicas -> assertThat(replicas).extracting(a -> a.sum).containsOnly(replicas.get(0).sum))
                .seed(3)
                .run();

        assertThat(result.ok()).isFalse();
        assertThat(result.violation().getMessage()).containsAnyOf("deterministic state machine",
                "the state machine's own check");
    }

    @Test
    void theUsersOwnCheckFailsTheRunWithItsMessage() {
        SimulationResult result = adders(true, false)
                .faults(EnumSet.of(Fault.DROP))
                .check(replicas -> assertThat(replicas.get(0).sum).as("the sum").isNegative())
                .seed(8)
                .run();

        assertThat(result.ok()).isFalse();
        assertThat(result.violation().getMessage()).contains("the state machine's own check").contains("the sum");
        assertThat(result.report()).contains("replay: -Dkeel.sim.seed=8");
    }

    @Test
    void badSettingsAreRefusedWithWhatToFix() {
        assertThatThrownBy(() -> StateMachineSimulation.of(() -> new Adder(false, false)).run())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("commands(random -> ...)");
        assertThatThrownBy(() -> StateMachineSimulation.of(() -> new Adder(false, false)).nodes(0))
                .hasMessageContaining("nodes must be between 1 and 7");
        assertThatThrownBy(() -> StateMachineSimulation.of(() -> new Adder(false, false))
                .duration(Duration.ofSeconds(1))).hasMessageContaining("at least 5 s");
    }
}
