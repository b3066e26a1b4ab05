package dev.keel.raft.internal.log;

import dev.keel.raft.Member;
import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.log.LogEntry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RaftLog} without snapshots: the log matching property and the AppendEntries consistency check (Raft §5.3),
 * conflict repair, the commit index, durability bookkeeping, byte-bounded reads and the configuration in effect
 * (thesis §4.1). Snapshots, compaction and restarts are in {@link RaftLogSnapshotTest}.
 */
class RaftLogTest {
    static final long NO_LIMIT = Long.MAX_VALUE;
    static final Membership ABC = voters("a", "b", "c");

    private final ListLogStorage storage = new ListLogStorage();
    private final RaftLog log = new RaftLog(storage, null, ABC);

    static Membership voters(String... ids) {
        return Membership.ofVoters(Arrays.stream(ids).map(id -> Member.of(NodeId.of(id))).toList());
    }

    static LogEntry entry(long index, long term) {
        return LogEntry.command(index, term, new byte[0]);
    }

    /** Entries from {@code first} on, one per term given. */
    static List<LogEntry> entries(long first, long... terms) {
        List<LogEntry> out = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            out.add(entry(first + i, terms[i]));
        }
        return out;
    }

    /** Appends one entry per term given, as a leader does with its proposals. */
    static void appendTerms(RaftLog log, long... terms) {
        for (long t : terms) {
            log.append(entry(log.lastIndex() + 1, t));
        }
    }

    static List<Long> terms(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::term).toList();
    }

    static List<Long> indexes(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::index).toList();
    }

    @Nested
    class LogMatching {
        @Test
        void aNewLogIsEmptyAndStartsAtIndexOneWithNothingCommitted() {
            assertThat(log.firstIndex()).isEqualTo(1);
            assertThat(log.lastIndex()).isZero();
            assertThat(log.lastTerm()).isZero();
            assertThat(log.commitIndex()).isZero();
            assertThat(log.durableIndex()).isZero();
            assertThat(log.snapshot()).isNull();
            assertThat(log.hasUnstable()).isFalse();
            assertThat(log.entries(1, 1, NO_LIMIT)).isEmpty();
        }

        @Test
        void indexZeroIsTheEmptyPrefixWithTermZeroWhichEveryLogMatches() {
            appendTerms(log, 1, 2);
            assertThat(log.term(0)).isZero();
            assertThat(log.matches(0, 0)).isTrue();
        }

        @Test
        void appendedEntriesAreReadBackWithTheirTermsInIndexOrder() {
            appendTerms(log, 1, 1, 2);
            assertThat(log.lastIndex()).isEqualTo(3);
            assertThat(log.lastTerm()).isEqualTo(2);
            assertThat(List.of(log.term(1), log.term(2), log.term(3))).containsExactly(1L, 1L, 2L);
            assertThat(log.entries(1, 4, NO_LIMIT)).isEqualTo(entries(1, 1, 1, 2));
        }

        @Test
        void anAppendThatLeavesAGapOrRewritesAnIndexIsRefused() {
            appendTerms(log, 1, 1);
            assertThatThrownBy(() -> log.append(entry(4, 1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not follow the last index 2");
            assertThatThrownBy(() -> log.append(entry(2, 1))).isInstanceOf(IllegalStateException.class);
            assertThat(log.lastIndex()).isEqualTo(2);
        }

        @Test
        void theTermOfAnIndexPastTheEndIsUnknownAndAskingForItIsAnError() {
            appendTerms(log, 1, 1);
            assertThat(log.termIfKnown(3)).isEqualTo(-1);
            assertThatThrownBy(() -> log.term(3))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("no entry at index 3");
        }

        @Test
        void theLogMatchesOnlyAnEntryItHoldsWithTheSameIndexAndTerm() {
            appendTerms(log, 1, 1, 2);
            assertThat(log.matches(2, 1)).isTrue();
            assertThat(log.matches(3, 2)).isTrue();
            assertThat(log.matches(3, 1)).as("same index, other term").isFalse();
            assertThat(log.matches(4, 2)).as("past the end").isFalse();
        }

        @Test
        void aFollowerRejectsEntriesWhosePrecedingEntryItDoesNotHold() {
            appendTerms(log, 1, 1, 2);
            assertThat(log.appendAsFollower(4, 2, entries(5, 2))).as("predecessor past the end").isEqualTo(-1);
            assertThat(log.appendAsFollower(3, 3, entries(4, 3))).as("predecessor of another term").isEqualTo(-1);
            assertThat(log.entries(1, 4, NO_LIMIT)).isEqualTo(entries(1, 1, 1, 2));
        }

        @Test
        void aFollowerAppendsEntriesThatFollowAMatchingEntryAndReportsTheLastIndexTheyCover() {
            appendTerms(log, 1, 1);
            assertThat(log.appendAsFollower(2, 1, entries(3, 2, 2))).isEqualTo(4);
            assertThat(log.entries(1, 5, NO_LIMIT)).isEqualTo(entries(1, 1, 1, 2, 2));
        }

        @Test
        void anEmptyAppendOnlyChecksConsistencyAndNeverShortensTheLog() {
            appendTerms(log, 1, 1, 2);
            assertThat(log.appendAsFollower(1, 1, List.of())).isEqualTo(1);
            assertThat(log.lastIndex()).isEqualTo(3);
        }

        @Test
        void entriesAlreadyHeldAreKeptSoADelayedOrDuplicatedMessageCannotTruncateTheLog() {
            appendTerms(log, 1, 1, 1, 1, 1);
            storage.persist(log);
            assertThat(log.appendAsFollower(1, 1, entries(2, 1, 1))).as("the last index the message covers")
                    .isEqualTo(3);
            assertThat(log.lastIndex()).isEqualTo(5);
            assertThat(log.durableIndex()).isEqualTo(5);
            assertThat(log.hasUnstable()).as("nothing to rewrite").isFalse();
        }

        @Test
        void aCandidateWithAHigherLastTermIsUpToDateWhateverTheLengthOfItsLog() {
            appendTerms(log, 1, 2, 2, 2);
            assertThat(log.isUpToDate(2, 3)).isTrue();
            assertThat(log.isUpToDate(9, 1)).as("longer but older").isFalse();
        }

        @Test
        void withTheSameLastTermTheLongerOrEqualLogIsUpToDate() {
            appendTerms(log, 1, 2, 2, 2);
            assertThat(log.isUpToDate(4, 2)).isTrue();
            assertThat(log.isUpToDate(5, 2)).isTrue();
            assertThat(log.isUpToDate(3, 2)).isFalse();
        }
    }

    @Nested
    class ConflictRepair {
        @Test
        void aConflictingEntryAndAllThatFollowItAreReplacedByTheLeadersEntries() {
            appendTerms(log, 1, 1, 2, 2, 2);
            assertThat(log.appendAsFollower(2, 1, entries(3, 3, 3))).isEqualTo(4);
            assertThat(terms(log.entries(1, log.lastIndex() + 1, NO_LIMIT))).containsExactly(1L, 1L, 3L, 3L);
        }

        @Test
        void entriesBeforeTheFirstConflictAreKeptAndTheConflictIsReplacedFromThere() {
            appendTerms(log, 1, 1, 2, 2, 2);
            assertThat(log.appendAsFollower(1, 1, entries(2, 1, 2, 4))).isEqualTo(4);
            assertThat(terms(log.entries(1, log.lastIndex() + 1, NO_LIMIT))).containsExactly(1L, 1L, 2L, 4L);
        }

        @Test
        void aConflictAtOrBelowTheCommitIndexIsRefusedWithAClearErrorAndChangesNothing() {
            appendTerms(log, 1, 1, 2, 2);
            log.commitTo(3);
            assertThatThrownBy(() -> log.appendAsFollower(2, 1, entries(3, 3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("at or below the commit index 3")
                    .hasMessageContaining("a committed entry would be lost");
            assertThat(terms(log.entries(1, 5, NO_LIMIT))).containsExactly(1L, 1L, 2L, 2L);
            assertThat(log.commitIndex()).isEqualTo(3);
        }

        @Test
        void aConflictJustAboveTheCommitIndexIsRepaired() {
            appendTerms(log, 1, 1, 2, 2);
            log.commitTo(3);
            assertThat(log.appendAsFollower(3, 2, entries(4, 3))).isEqualTo(4);
            assertThat(log.term(4)).isEqualTo(3);
        }

        @Test
        void replacedEntriesThatWereStoredAreShadowedAtOnceAndTruncatedInStorageByTheNextWrite() {
            appendTerms(log, 1, 1, 1, 1, 1);
            storage.persist(log);
            log.appendAsFollower(3, 1, entries(4, 2));
            assertThat(log.entries(1, 5, NO_LIMIT)).as("read before the write").isEqualTo(entries(1, 1, 1, 1, 2));
            assertThat(log.lastIndex()).isEqualTo(4);
            assertThat(log.durableIndex()).as("only the prefix before the conflict stays durable").isEqualTo(3);
            assertThat(log.hasUnstable()).isTrue();
            assertThat(log.unstableOffset()).as("storage is rewritten from the conflict").isEqualTo(4);

            storage.persist(log);
            assertThat(storage.held()).isEqualTo(entries(1, 1, 1, 1, 2));
            assertThat(log.durableIndex()).isEqualTo(4);
            assertThat(log.hasUnstable()).isFalse();
        }

        @Test
        void aWriteReportedDurableAfterItsEntriesWereReplacedDoesNotCountAsDurable() {
            appendTerms(log, 1, 1, 1, 1, 1);
            storage.append(log.takeUnstable());
            log.appendAsFollower(2, 1, entries(3, 2));
            assertThat(log.onPersisted(5, 1)).as("entry 5 is gone").isFalse();
            assertThat(log.onPersisted(3, 1)).as("entry 3 now has term 2").isFalse();
            assertThat(log.durableIndex()).isZero();
            assertThat(log.onPersisted(2, 1)).isTrue();
            assertThat(log.durableIndex()).isEqualTo(2);
        }
    }

    @Nested
    class Durability {
        @Test
        void theDurableIndexFollowsWritesAndNeverMovesBack() {
            appendTerms(log, 1, 1, 2);
            storage.append(log.takeUnstable());
            assertThat(log.onPersisted(2, 1)).isTrue();
            assertThat(log.durableIndex()).isEqualTo(2);
            assertThat(log.onPersisted(1, 1)).as("older").isFalse();
            assertThat(log.onPersisted(2, 1)).as("repeated").isFalse();
            assertThat(log.onPersisted(3, 2)).isTrue();
            assertThat(log.durableIndex()).isEqualTo(3);
        }

        @Test
        void aWriteReportForAnEntryTheLogDoesNotHoldIsIgnored() {
            appendTerms(log, 1, 1);
            assertThat(log.onPersisted(3, 1)).isFalse();
            assertThat(log.onPersisted(2, 7)).isFalse();
            assertThat(log.durableIndex()).isZero();
        }

        @Test
        void theUnstableTailIsHandedOverOnceAndThenReadFromStorage() {
            appendTerms(log, 1, 1);
            assertThat(log.hasUnstable()).isTrue();
            assertThat(log.takeUnstable()).isEqualTo(entries(1, 1, 1));
            assertThat(log.takeUnstable()).isEmpty();
            assertThat(log.unstableOffset()).isEqualTo(3);
            storage.append(entries(1, 1, 1));
            assertThat(log.hasUnstable()).isFalse();
            assertThat(log.entries(1, 3, NO_LIMIT)).isEqualTo(entries(1, 1, 1));
        }
    }

    @Nested
    class Commitment {
        @Test
        void theCommitIndexOnlyMovesForward() {
            appendTerms(log, 1, 1, 1, 1);
            assertThat(log.commitTo(3)).isTrue();
            assertThat(log.commitTo(2)).isFalse();
            assertThat(log.commitTo(3)).isFalse();
            assertThat(log.commitIndex()).isEqualTo(3);
            assertThat(log.commitTo(4)).isTrue();
            assertThat(log.commitIndex()).isEqualTo(4);
        }

        @Test
        void theCommitIndexCannotPassTheLastEntry() {
            appendTerms(log, 1, 1);
            assertThatThrownBy(() -> log.commitTo(3))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("commit index 3 beyond the last index 2");
            assertThat(log.commitIndex()).isZero();
        }

        @Test
        void committedEntriesAreHandedToTheStateMachineOnceInLogOrderInBatchesBoundedByBytes() {
            for (int i = 1; i <= 5; i++) {
                log.append(LogEntry.command(i, 1, new byte[76]));
            }
            log.commitTo(4);
            long twoEntries = 2 * (76 + LogEntry.OVERHEAD_BYTES);
            assertThat(indexes(log.takeEntriesToApply(twoEntries))).containsExactly(1L, 2L);
            assertThat(log.applyDispatched()).isEqualTo(2);
            assertThat(indexes(log.takeEntriesToApply(twoEntries + 99))).containsExactly(3L, 4L);
            assertThat(log.hasEntriesToApply()).as("entry 5 is not committed").isFalse();
            assertThat(log.takeEntriesToApply(NO_LIMIT)).isEmpty();
            log.commitTo(5);
            assertThat(indexes(log.takeEntriesToApply(1))).containsExactly(5L);
        }
    }

    @Nested
    class BatchReads {
        private static final int PAYLOAD = 100;
        private static final long ENTRY_BYTES = PAYLOAD + LogEntry.OVERHEAD_BYTES;

        /** Entries 1-3 in storage, 4-6 still in the unstable tail. */
        private void storedAndUnstable() {
            for (int i = 1; i <= 6; i++) {
                log.append(LogEntry.command(i, 1, new byte[PAYLOAD]));
                if (i == 3) {
                    storage.persist(log);
                }
            }
            assertThat(log.unstableOffset()).isEqualTo(4);
        }

        @Test
        void aReadReturnsAtLeastOneEntryEvenIfItAloneExceedsTheBudget() {
            storedAndUnstable();
            assertThat(indexes(log.entries(2, 7, 1))).containsExactly(2L);
            assertThat(indexes(log.entries(5, 7, 1))).containsExactly(5L);
        }

        @Test
        void aReadStopsBeforeTheEntryThatWouldExceedTheBudgetAcrossStoredAndUnstableEntries() {
            storedAndUnstable();
            assertThat(indexes(log.entries(1, 7, 4 * ENTRY_BYTES))).containsExactly(1L, 2L, 3L, 4L);
            assertThat(indexes(log.entries(1, 7, 5 * ENTRY_BYTES - 1))).containsExactly(1L, 2L, 3L, 4L);
            assertThat(indexes(log.entries(2, 7, 2 * ENTRY_BYTES))).containsExactly(2L, 3L);
            assertThat(indexes(log.entries(3, 6, 2 * ENTRY_BYTES))).containsExactly(3L, 4L);
            assertThat(indexes(log.entries(1, 7, NO_LIMIT))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        }

        @Test
        void aReadNeverSkipsAnEntryThatDoesNotFitToTakeSmallerOnesAfterIt() {
            log.append(LogEntry.command(1, 1, new byte[PAYLOAD]));
            log.append(LogEntry.command(2, 1, new byte[10 * PAYLOAD]));
            storage.persist(log);
            log.append(LogEntry.command(3, 1, new byte[0]));
            log.append(LogEntry.command(4, 1, new byte[10 * PAYLOAD]));
            log.append(LogEntry.command(5, 1, new byte[0]));
            assertThat(indexes(log.entries(1, 6, 3 * ENTRY_BYTES))).as("stored 2 is too big").containsExactly(1L);
            assertThat(indexes(log.entries(3, 6, 3 * ENTRY_BYTES))).as("unstable 4 is too big").containsExactly(3L);
        }

        @Test
        void aReadEndsAtTheRequestedEndEvenWithBudgetLeft() {
            storedAndUnstable();
            assertThat(indexes(log.entries(2, 3, NO_LIMIT))).containsExactly(2L);
            assertThat(indexes(log.entries(2, 5, NO_LIMIT))).containsExactly(2L, 3L, 4L);
            assertThat(log.entries(4, 4, NO_LIMIT)).isEmpty();
        }

        @Test
        void aReadOutsideTheLogIsAnError() {
            storedAndUnstable();
            assertThatThrownBy(() -> log.entries(0, 2, NO_LIMIT))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("outside the log [1, 6]");
            assertThatThrownBy(() -> log.entries(5, 8, NO_LIMIT)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> log.entries(4, 3, NO_LIMIT)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    class ConflictHints {
        @Test
        void theFollowersHintIsTheFirstIndexOfTheConflictingTermButNotBelowTheFloor() {
            appendTerms(log, 1, 1, 2, 2, 2, 3);
            assertThat(log.firstIndexOfTermAt(5, 1)).isEqualTo(3);
            assertThat(log.firstIndexOfTermAt(5, 4)).isEqualTo(4);
            assertThat(log.firstIndexOfTermAt(6, 1)).isEqualTo(6);
            assertThat(log.firstIndexOfTermAt(2, 1)).isEqualTo(1);
        }

        @Test
        void theLeaderFindsTheLastEntryOfATermAtOrBelowAnIndex() {
            appendTerms(log, 1, 1, 2, 2, 2, 4);
            assertThat(log.lastIndexOfTerm(2, 6)).isEqualTo(5);
            assertThat(log.lastIndexOfTerm(2, 4)).isEqualTo(4);
            assertThat(log.lastIndexOfTerm(1, 99)).isEqualTo(2);
            assertThat(log.lastIndexOfTerm(3, 6)).as("no entry of term 3").isEqualTo(-1);
            assertThat(log.lastIndexOfTerm(5, 6)).as("no entry of term 5").isEqualTo(-1);
        }
    }

    @Nested
    class Configuration {
        private final Membership abcd = voters("a", "b", "c", "d");
        private final Membership ab = voters("a", "b");

        @Test
        void withoutConfigurationEntriesTheBootstrapConfigurationIsInEffect() {
            appendTerms(log, 1, 1);
            assertThat(log.config()).isEqualTo(new ConfigTracker.Config(0, ABC));
        }

        @Test
        void aConfigurationTakesEffectAsSoonAsItIsAppendedCommittedOrNot() {
            appendTerms(log, 1);
            log.append(LogEntry.configuration(2, 1, abcd));
            appendTerms(log, 1);
            assertThat(log.commitIndex()).isZero();
            assertThat(log.config()).isEqualTo(new ConfigTracker.Config(2, abcd));
        }

        @Test
        void aFollowerTakesUpAConfigurationFromTheLeadersEntries() {
            appendTerms(log, 1);
            log.appendAsFollower(1, 1, List.of(LogEntry.configuration(2, 1, abcd), entry(3, 1)));
            assertThat(log.config()).isEqualTo(new ConfigTracker.Config(2, abcd));
        }

        @Test
        void truncatingAConfigurationEntryRevertsToTheConfigurationBeforeIt() {
            appendTerms(log, 1);
            log.append(LogEntry.configuration(2, 1, abcd));
            log.append(LogEntry.configuration(3, 1, ab));
            log.appendAsFollower(2, 1, entries(3, 2));
            assertThat(log.config()).isEqualTo(new ConfigTracker.Config(2, abcd));
            log.appendAsFollower(1, 1, entries(2, 3));
            assertThat(log.config()).isEqualTo(new ConfigTracker.Config(0, ABC));
        }

        @Test
        void aServerJoiningWithoutAConfigurationLearnsItFromTheLog() {
            RaftLog joining = new RaftLog(new ListLogStorage(), null, null);
            assertThat(joining.config()).isEqualTo(new ConfigTracker.Config(0, null));
            assertThat(joining.votesInUnsettledConfig(NodeId.of("a"))).isFalse();
            joining.appendAsFollower(0, 0, List.of(LogEntry.configuration(1, 1, abcd)));
            assertThat(joining.config()).isEqualTo(new ConfigTracker.Config(1, abcd));
            assertThat(joining.votesInUnsettledConfig(NodeId.of("d"))).isTrue();
        }

        @Test
        void aServerRemovedByAnUncommittedConfigurationMayStillCampaignUntilThatConfigurationCommits() {
            appendTerms(log, 1);
            log.append(LogEntry.configuration(2, 1, ab));
            NodeId c = NodeId.of("c");
            assertThat(log.votesInUnsettledConfig(c)).as("C_old is the newest committed configuration").isTrue();
            log.commitTo(1);
            assertThat(log.votesInUnsettledConfig(c)).isTrue();
            log.commitTo(2);
            assertThat(log.votesInUnsettledConfig(c)).as("C_new is committed").isFalse();
            assertThat(log.votesInUnsettledConfig(NodeId.of("a"))).isTrue();
            assertThat(log.votesInUnsettledConfig(NodeId.of("z"))).isFalse();
        }
    }
}
