package dev.keel.raft.internal.runtime;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.testing.InMemorySnapshotStorage;
import dev.keel.raft.testing.RecordingStateMachine;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** When snapshots are taken, with the background thread stepped by hand. */
class SnapshotterTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final Membership MEMBERS = Membership.ofVoters(List.of(Member.of(N1)));

    @Test
    void aSnapshotThatFellDueWhileAnotherWasWrittenIsTakenWhenThatOneCompletesWithoutWaitingForMoreEntries() {
        RaftConfig config = RaftConfig.builder().snapshotInterval(200).build();
        ArrayDeque<Runnable> background = new ArrayDeque<>();
        List<SnapshotMetadata> taken = new ArrayList<>();
        Snapshotter snapshotter = new Snapshotter(N1, config, new InMemorySnapshotStorage(),
                new RecordingStateMachine(), () -> KeelState.INITIAL, background::add, Runnable::run, 0, taken::add);

        applyUpTo(snapshotter, 0, 200);
        assertThat(background).as("a write started at 200").hasSize(1);
        // 300 more entries while it is being written: due again, but one write at a time.
        applyUpTo(snapshotter, 200, 500);
        assertThat(background).hasSize(1);

        background.poll().run();
        assertThat(taken).extracting(SnapshotMetadata::index).containsExactly(200L);
        // No batch follows (an idle cluster), yet the snapshot that fell due is started.
        assertThat(background).as("a write started at 500 once the first completed").hasSize(1);
        background.poll().run();
        assertThat(taken).extracting(SnapshotMetadata::index).containsExactly(200L, 500L);
        assertThat(background).isEmpty();
    }

    private static void applyUpTo(Snapshotter snapshotter, long from, long to) {
        for (long i = from + 1; i <= to; i++) {
            snapshotter.applied(16);
        }
        snapshotter.maybeTake(to, 1, MEMBERS, 1);
    }
}
