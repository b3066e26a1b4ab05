package dev.keel.raft.internal.log;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.internal.log.ConfigTracker.Config;
import dev.keel.raft.log.LogEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.keel.raft.internal.log.RaftLogTest.voters;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which configuration is in effect (thesis §4.1: the latest in the log, committed or not) and who may still be needed
 * to elect a leader while a change is uncommitted (thesis §4.2.2).
 */
class ConfigTrackerTest {
    private static final NodeId A = NodeId.of("a");
    private static final NodeId C = NodeId.of("c");
    private static final NodeId D = NodeId.of("d");
    private static final Membership ABC = voters("a", "b", "c");
    private static final Membership AB = voters("a", "b");
    private static final Membership ABD = voters("a", "b", "d");

    private final ConfigTracker tracker = new ConfigTracker(new Config(0, ABC));

    private static LogEntry config(long index, Membership m) {
        return LogEntry.configuration(index, 1, m);
    }

    @Test
    void withoutConfigurationEntriesTheBaseConfigurationIsInEffect() {
        tracker.appended(List.of(LogEntry.noOp(1, 1), LogEntry.command(2, 1, new byte[3])));
        assertThat(tracker.current()).isEqualTo(new Config(0, ABC));
    }

    @Test
    void theNewestAppendedConfigurationIsInEffect() {
        tracker.appended(List.of(LogEntry.noOp(1, 1), config(2, AB), LogEntry.noOp(3, 1)));
        assertThat(tracker.current()).isEqualTo(new Config(2, AB));
        tracker.appended(config(4, ABD));
        assertThat(tracker.current()).isEqualTo(new Config(4, ABD));
    }

    @Test
    void truncatingRemovesTheConfigurationsFromTheIndexOnAndRevertsToTheOneBefore() {
        tracker.appended(List.of(config(2, AB), config(4, ABD)));
        tracker.truncatedFrom(5);
        assertThat(tracker.current()).as("nothing at or after 5").isEqualTo(new Config(4, ABD));
        tracker.truncatedFrom(4);
        assertThat(tracker.current()).isEqualTo(new Config(2, AB));
        tracker.truncatedFrom(1);
        assertThat(tracker.current()).isEqualTo(new Config(0, ABC));
    }

    @Test
    void aResetReplacesEveryConfigurationByTheSnapshotsOne() {
        tracker.appended(List.of(config(2, AB), config(4, ABD)));
        tracker.reset(new Config(7, AB));
        assertThat(tracker.current()).isEqualTo(new Config(7, AB));
        tracker.truncatedFrom(8);
        assertThat(tracker.current()).as("the snapshot's configuration cannot be truncated away")
                .isEqualTo(new Config(7, AB));
    }

    @Test
    void aServerRemovedByAnUncommittedConfigurationStillVotesUntilThatConfigurationCommits() {
        tracker.appended(config(5, AB));
        assertThat(tracker.votesInUnsettled(C, 4)).as("C_new (without c) is not committed yet").isTrue();
        assertThat(tracker.votesInUnsettled(C, 5)).isFalse();
    }

    @Test
    void aServerAddedByAnUncommittedConfigurationVotesAtOnce() {
        tracker.appended(config(5, ABD));
        assertThat(tracker.votesInUnsettled(D, 0)).isTrue();
        assertThat(tracker.votesInUnsettled(D, 5)).isTrue();
    }

    @Test
    void configurationsOlderThanTheNewestCommittedOneNoLongerCount() {
        tracker.appended(List.of(config(3, AB), config(6, ABD)));
        assertThat(tracker.votesInUnsettled(C, 2)).as("the base is still the newest committed").isTrue();
        assertThat(tracker.votesInUnsettled(C, 3)).as("base superseded by committed index 3").isFalse();
        assertThat(tracker.votesInUnsettled(D, 3)).as("d joins in the uncommitted index 6").isTrue();
        assertThat(tracker.votesInUnsettled(A, 6)).isTrue();
    }

    @Test
    void aServerThatNeverVotedInAnyConfigurationDoesNotVote() {
        Membership withLearner = Membership.of(List.of(Member.of(A)), List.of(Member.of(D)));
        ConfigTracker t = new ConfigTracker(new Config(0, withLearner));
        assertThat(t.votesInUnsettled(D, 0)).as("a learner").isFalse();
        assertThat(t.votesInUnsettled(NodeId.of("z"), 0)).as("a stranger").isFalse();
    }

    @Test
    void anOutgoingVoterOfAJointConfigurationVotes() {
        Membership joint = ABD.joint(ABC.voters());
        tracker.appended(config(5, joint));
        assertThat(tracker.votesInUnsettled(C, 5)).isTrue();
        tracker.appended(config(6, ABD));
        assertThat(tracker.votesInUnsettled(C, 6)).isFalse();
    }

    @Test
    void aJoiningServerWithoutAConfigurationVotesOnlyOnceTheLogListsIt() {
        ConfigTracker joining = new ConfigTracker(new Config(0, null));
        assertThat(joining.current().membership()).isNull();
        assertThat(joining.votesInUnsettled(D, 0)).isFalse();
        joining.appended(config(3, ABD));
        assertThat(joining.votesInUnsettled(D, 0)).isTrue();
    }
}
