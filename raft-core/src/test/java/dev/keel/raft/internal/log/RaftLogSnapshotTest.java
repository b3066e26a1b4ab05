package dev.keel.raft.internal.log;

import dev.keel.raft.Membership;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.keel.raft.internal.log.RaftLogTest.ABC;
import static dev.keel.raft.internal.log.RaftLogTest.NO_LIMIT;
import static dev.keel.raft.internal.log.RaftLogTest.appendTerms;
import static dev.keel.raft.internal.log.RaftLogTest.entries;
import static dev.keel.raft.internal.log.RaftLogTest.indexes;
import static dev.keel.raft.internal.log.RaftLogTest.terms;
import static dev.keel.raft.internal.log.RaftLogTest.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RaftLog} with snapshots (Raft §7): compaction after a local snapshot, installing a leader's snapshot, and
 * what a restart recovers from storage and the newest snapshot.
 */
class RaftLogSnapshotTest {
    private static final Membership ABCD = voters("a", "b", "c", "d");
    private static final Membership AB = voters("a", "b");

    private final ListLogStorage storage = new ListLogStorage();
    private final RaftLog log = new RaftLog(storage, null, ABC);

    private static SnapshotMetadata snapshot(long index, long term) {
        return snapshot(index, term, ABC, 0);
    }

    private static SnapshotMetadata snapshot(long index, long term, Membership membership, long membershipIndex) {
        return new SnapshotMetadata(index, term, membership, membershipIndex, 0, 0);
    }

    /** Entries with terms 1 1 2 2 2 3 3 3, written to storage and committed up to {@code commit}. */
    private void eightStoredEntries(long commit) {
        appendTerms(log, 1, 1, 2, 2, 2, 3, 3, 3);
        storage.persist(log);
        log.commitTo(commit);
    }

    @Nested
    class Compaction {
        @Test
        void aSnapshotMayCoverOnlyCommittedEntries() {
            eightStoredEntries(5);
            assertThatThrownBy(() -> log.onSnapshotTaken(snapshot(6, 3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("covers uncommitted entries (commit index 5)");
            assertThat(log.snapshot()).isNull();
        }

        @Test
        void afterCompactionTheLogStartsAfterTheSnapshotAndStillKnowsTheTermOfItsLastEntry() {
            eightStoredEntries(7);
            log.onSnapshotTaken(snapshot(6, 3));
            storage.purgePrefix(6);
            assertThat(log.snapshotIndex()).isEqualTo(6);
            assertThat(log.firstIndex()).isEqualTo(7);
            assertThat(log.lastIndex()).isEqualTo(8);
            assertThat(log.term(6)).isEqualTo(3);
            assertThat(log.matches(6, 3)).as("the consistency check still works at the snapshot's last entry")
                    .isTrue();
            assertThat(log.appendAsFollower(6, 3, entries(7, 3, 3, 4))).isEqualTo(9);
        }

        @Test
        void aFollowersConflictingTermEndingAtTheSnapshotIsFoundThere() {
            appendTerms(log, 1, 1, 2, 2, 2, 3, 4, 4);
            storage.persist(log);
            log.commitTo(8);
            log.onSnapshotTaken(snapshot(6, 3));
            storage.purgePrefix(6);
            assertThat(log.firstIndex()).isEqualTo(7);
            assertThat(log.lastIndexOfTerm(3, 8))
                    .as("the snapshot's last entry (6, term 3) is the last entry of term 3: the follower matches there")
                    .isEqualTo(6);
        }

        @Test
        void compactedEntriesCanNoLongerBeReadOrMatched() {
            eightStoredEntries(7);
            log.onSnapshotTaken(snapshot(6, 3));
            storage.purgePrefix(6);
            assertThat(log.termIfKnown(5)).isEqualTo(-1);
            assertThat(log.matches(5, 2)).isFalse();
            assertThatThrownBy(() -> log.term(5))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("log holds [7, 8] after snapshot 6");
            assertThatThrownBy(() -> log.entries(5, 9, NO_LIMIT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("outside the log [7, 8]");
        }

        @Test
        void entriesTheStorageStillKeepsBeforeTheSnapshotRemainReadable() {
            eightStoredEntries(7);
            log.onSnapshotTaken(snapshot(6, 3));
            storage.purgePrefix(3);
            assertThat(log.firstIndex()).isEqualTo(4);
            assertThat(indexes(log.entries(4, 9, NO_LIMIT))).containsExactly(4L, 5L, 6L, 7L, 8L);
            assertThat(log.term(5)).isEqualTo(2);
        }

        @Test
        void anOlderSnapshotNeverReplacesANewerOne() {
            eightStoredEntries(7);
            log.onSnapshotTaken(snapshot(6, 3));
            log.onSnapshotTaken(snapshot(4, 2));
            assertThat(log.snapshotIndex()).isEqualTo(6);
        }

        @Test
        void aFullyCompactedLogEndsAtTheSnapshotAndGrowsFromThere() {
            eightStoredEntries(8);
            log.onSnapshotTaken(snapshot(8, 3));
            storage.purgePrefix(8);
            assertThat(log.firstIndex()).isEqualTo(9);
            assertThat(log.lastIndex()).isEqualTo(8);
            assertThat(log.lastTerm()).isEqualTo(3);
            assertThat(log.isUpToDate(8, 3)).isTrue();
            assertThat(log.isUpToDate(9, 2)).isFalse();
            log.append(RaftLogTest.entry(9, 4));
            assertThat(log.lastTerm()).isEqualTo(4);
        }
    }

    @Nested
    class Installing {
        @Test
        void aSnapshotOfOnlyCommittedEntriesIsIgnored() {
            eightStoredEntries(4);
            assertThat(log.installSnapshot(snapshot(4, 2))).isFalse();
            assertThat(log.installSnapshot(snapshot(3, 9))).isFalse();
            assertThat(log.snapshot()).isNull();
            assertThat(log.lastIndex()).isEqualTo(8);
            assertThat(log.commitIndex()).isEqualTo(4);
        }

        @Test
        void aSnapshotWhoseLastEntryTheLogHoldsCommitsUpToItAndKeepsTheEntriesThatFollow() {
            eightStoredEntries(2);
            assertThat(log.installSnapshot(snapshot(5, 2))).as("no restore needed").isFalse();
            assertThat(log.commitIndex()).isEqualTo(5);
            assertThat(terms(log.entries(1, 9, NO_LIMIT))).containsExactly(1L, 1L, 2L, 2L, 2L, 3L, 3L, 3L);
            assertThat(log.resetPending()).isFalse();
        }

        @Test
        void aSnapshotBeyondTheEndOfTheLogReplacesTheWholeLog() {
            appendTerms(log, 1, 1, 1, 1);
            storage.persist(log);
            SnapshotMetadata installed = snapshot(10, 3, AB, 7);
            assertThat(log.installSnapshot(installed)).as("the state machine must restore").isTrue();
            assertThat(log.snapshot()).isEqualTo(installed);
            assertThat(log.firstIndex()).isEqualTo(11);
            assertThat(log.lastIndex()).isEqualTo(10);
            assertThat(log.lastTerm()).isEqualTo(3);
            assertThat(log.commitIndex()).isEqualTo(10);
            assertThat(log.applyDispatched()).as("the snapshot stands for entries 1-10").isEqualTo(10);
            assertThat(log.hasEntriesToApply()).isFalse();
            assertThat(log.termIfKnown(3)).as("stored entries are discarded at once").isEqualTo(-1);
            assertThat(log.config()).isEqualTo(new ConfigTracker.Config(7, AB));
            assertThat(log.resetPending()).isTrue();
            assertThat(log.hasUnstable()).isTrue();
        }

        @Test
        void theStorageIsResetAfterAnInstalledSnapshotBeforeNewEntriesAreWritten() {
            appendTerms(log, 1, 1, 1, 1);
            storage.persist(log);
            log.installSnapshot(snapshot(10, 3));
            assertThat(log.appendAsFollower(10, 3, entries(11, 3, 4))).isEqualTo(12);
            storage.persist(log);
            assertThat(storage.firstIndex()).isEqualTo(11);
            assertThat(storage.held()).isEqualTo(entries(11, 3, 4));
            assertThat(log.resetPending()).isFalse();
            assertThat(log.durableIndex()).isEqualTo(12);
            assertThat(log.firstIndex()).isEqualTo(11);
            assertThat(log.term(10)).isEqualTo(3);
        }

        @Test
        void aSnapshotWhoseLastEntryConflictsWithTheLogReplacesTheWholeLog() {
            appendTerms(log, 1, 1, 1, 1, 1, 1, 1, 1);
            storage.persist(log);
            log.commitTo(2);
            assertThat(log.installSnapshot(snapshot(5, 2))).isTrue();
            assertThat(log.lastIndex()).isEqualTo(5);
            assertThat(log.term(5)).isEqualTo(2);
            assertThat(log.termIfKnown(6)).isEqualTo(-1);
            storage.persist(log);
            assertThat(storage.held()).isEmpty();
            assertThat(storage.firstIndex()).isEqualTo(6);
        }
    }

    @Nested
    class Restart {
        private RaftLog restart(SnapshotMetadata snapshot) {
            return new RaftLog(storage, snapshot, ABC);
        }

        @Test
        void storedEntriesSurviveAsDurableButTheCommitIndexAndUnwrittenEntriesDoNot() {
            appendTerms(log, 1, 1, 2, 2, 2);
            storage.persist(log);
            log.commitTo(4);
            appendTerms(log, 2, 2);
            RaftLog recovered = restart(null);
            assertThat(recovered.entries(1, 6, NO_LIMIT)).isEqualTo(entries(1, 1, 1, 2, 2, 2));
            assertThat(recovered.lastIndex()).isEqualTo(5);
            assertThat(recovered.durableIndex()).isEqualTo(5);
            assertThat(recovered.commitIndex()).as("learned again from the leader").isZero();
            assertThat(recovered.applyDispatched()).isZero();
            assertThat(recovered.hasUnstable()).isFalse();
        }

        @Test
        void aRestartWithASnapshotResumesAfterIt() {
            eightStoredEntries(8);
            SnapshotMetadata taken = snapshot(6, 3);
            log.onSnapshotTaken(taken);
            storage.purgePrefix(6);
            RaftLog recovered = restart(taken);
            assertThat(recovered.snapshot()).isEqualTo(taken);
            assertThat(recovered.firstIndex()).isEqualTo(7);
            assertThat(recovered.lastIndex()).isEqualTo(8);
            assertThat(recovered.term(6)).isEqualTo(3);
            assertThat(recovered.commitIndex()).as("the snapshot's entries are committed").isEqualTo(6);
            assertThat(recovered.applyDispatched()).as("and applied by restoring it").isEqualTo(6);
            recovered.commitTo(8);
            assertThat(indexes(recovered.takeEntriesToApply(NO_LIMIT))).containsExactly(7L, 8L);
        }

        @Test
        void aLogThatDoesNotReachBackToIndexOneWithoutASnapshotIsRefused() {
            storage.reset(5);
            storage.append(entries(5, 1, 1));
            assertThatThrownBy(() -> restart(null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the log starts at index 5 but there is no snapshot: entries 1..4 are missing");
        }

        @Test
        void aLogThatDoesNotReachBackToTheSnapshotIsRefused() {
            storage.reset(5);
            storage.append(entries(5, 1, 1));
            assertThatThrownBy(() -> restart(snapshot(2, 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the newest snapshot ends at 2: entries 3..4 are missing");
        }

        @Test
        void aLogThatEndsBeforeTheSnapshotIsReplacedAsTheInterruptedInstallWouldHaveDone() {
            appendTerms(log, 1, 1, 1, 1);
            storage.persist(log);
            RaftLog recovered = restart(snapshot(6, 2));
            assertThat(recovered.resetPending()).isTrue();
            assertThat(recovered.firstIndex()).isEqualTo(7);
            assertThat(recovered.lastIndex()).isEqualTo(6);
            assertThat(recovered.termIfKnown(3)).isEqualTo(-1);
            assertThat(recovered.commitIndex()).isEqualTo(6);
            storage.persist(recovered);
            assertThat(storage.held()).isEmpty();
            assertThat(storage.firstIndex()).isEqualTo(7);
        }

        @Test
        void aLogWhoseEntryAtTheSnapshotIndexHasAnotherTermIsReplaced() {
            appendTerms(log, 1, 1, 1, 1, 1, 1, 1, 1);
            storage.persist(log);
            RaftLog recovered = restart(snapshot(5, 2));
            assertThat(recovered.resetPending()).isTrue();
            assertThat(recovered.lastIndex()).isEqualTo(5);
            assertThat(recovered.lastTerm()).isEqualTo(2);
        }

        @Test
        void aLogThatContinuesTheSnapshotIsKeptWhole() {
            eightStoredEntries(8);
            RaftLog recovered = restart(snapshot(6, 3));
            assertThat(recovered.resetPending()).isFalse();
            assertThat(recovered.firstIndex()).isEqualTo(1);
            assertThat(recovered.lastIndex()).isEqualTo(8);
            assertThat(recovered.hasUnstable()).isFalse();
        }

        @Test
        void theNewestConfigurationInTheLogIsFoundAgainEvenPastTheFirstBatchRead() {
            byte[] oneMiB = new byte[1 << 20];
            List<LogEntry> stored = new ArrayList<>();
            stored.add(LogEntry.configuration(1, 1, ABCD));
            for (int i = 2; i <= 6; i++) {
                stored.add(LogEntry.command(i, 1, oneMiB));
            }
            stored.add(LogEntry.configuration(7, 1, AB));
            ListLogStorage big = ListLogStorage.holding(stored);
            assertThat(new RaftLog(big, null, ABC).config()).isEqualTo(new ConfigTracker.Config(7, AB));
        }

        @Test
        void withoutConfigurationEntriesAfterTheSnapshotTheSnapshotsConfigurationIsInEffect() {
            appendTerms(log, 1, 1);
            log.append(LogEntry.configuration(3, 1, ABCD));
            appendTerms(log, 1, 1);
            storage.persist(log);
            log.commitTo(5);
            SnapshotMetadata taken = snapshot(4, 1, ABCD, 3);
            storage.purgePrefix(4);
            assertThat(restart(taken).config()).isEqualTo(new ConfigTracker.Config(3, ABCD));
        }

        @Test
        void aConfigurationEntryAfterTheSnapshotOverridesTheSnapshotsConfiguration() {
            appendTerms(log, 1, 1, 1, 1);
            log.append(LogEntry.configuration(5, 1, AB));
            storage.persist(log);
            log.commitTo(4);
            storage.purgePrefix(4);
            RaftLog recovered = restart(snapshot(4, 1, ABCD, 2));
            assertThat(recovered.config()).isEqualTo(new ConfigTracker.Config(5, AB));
            recovered.appendAsFollower(4, 1, entries(5, 2));
            assertThat(recovered.config()).as("truncated away: back to the snapshot's")
                    .isEqualTo(new ConfigTracker.Config(2, ABCD));
        }
    }
}
