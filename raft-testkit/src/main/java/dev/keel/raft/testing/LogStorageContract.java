package dev.keel.raft.testing;

import dev.keel.raft.NodeId;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.spi.LogStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link LogStorage} must have. Extend it and implement the two factory methods; see
 * {@code InMemoryLogStorageTest} and the file storage's test for examples.
 */
public abstract class LogStorageContract {
    private static final long WAIT_SECONDS = 30;

    private final List<LogStorage> opened = new ArrayList<>();

    /** A new, empty storage. */
    protected abstract LogStorage createStorage() throws Exception;

    /**
     * Closes {@code storage}, whose futures have all completed, and opens its data again, as a restarted server
     * would.
     */
    protected abstract LogStorage reopen(LogStorage storage) throws Exception;

    private LogStorage create() throws Exception {
        return track(createStorage());
    }

    private LogStorage restart(LogStorage s) throws Exception {
        return track(reopen(s));
    }

    private LogStorage track(LogStorage s) {
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        for (LogStorage s : opened) {
            s.close();
        }
    }

    protected static LogEntry entry(long index, long term) {
        return LogEntry.command(index, term, ("v" + index + "@" + term).getBytes(StandardCharsets.UTF_8));
    }

    protected static List<LogEntry> entries(long from, long toInclusive, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            list.add(entry(i, term));
        }
        return list;
    }

    protected static void await(CompletableFuture<Void> f) throws Exception {
        f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void newStorageIsEmptyWithInitialHardState() throws Exception {
        LogStorage s = create();
        assertThat(s.firstIndex()).isEqualTo(1);
        assertThat(s.lastIndex()).isEqualTo(0);
        assertThat(s.hardState()).isEqualTo(HardState.INITIAL);
        assertThat(s.entries(1, 1, 1024)).isEmpty();
    }

    @Test
    void appendedEntriesAreReadableAtOnceAndAfterDurable() throws Exception {
        LogStorage s = create();
        CompletableFuture<Void> f = s.append(entries(1, 5, 1));
        assertThat(s.lastIndex()).isEqualTo(5);
        assertThat(s.entries(1, 6, Long.MAX_VALUE)).isEqualTo(entries(1, 5, 1));
        await(f);
        assertThat(s.termAt(3)).isEqualTo(1);
        assertThat(s.entries(2, 4, Long.MAX_VALUE)).isEqualTo(entries(2, 3, 1));
    }

    @Test
    void noOpAndEmptyPayloadEntriesRoundTrip() throws Exception {
        LogStorage s = create();
        List<LogEntry> batch = List.of(LogEntry.noOp(1, 1), LogEntry.command(2, 1, new byte[0]),
                LogEntry.command(3, 2, new byte[]{0, -1, 127}));
        await(s.append(batch));
        s = restart(s);
        assertThat(s.entries(1, 4, Long.MAX_VALUE)).isEqualTo(batch);
    }

    @Test
    void appendRejectsAGapAnOverlapOrAnEmptyBatch() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 3, 1)));
        assertThatThrownBy(() -> s.append(entries(5, 6, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.append(entries(3, 4, 1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.append(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.append(List.of(entry(4, 1), entry(6, 1))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(s.lastIndex()).isEqualTo(3);
    }

    @Test
    void readsOutsideTheLogAreRejected() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 3, 1)));
        assertThatThrownBy(() -> s.termAt(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> s.termAt(4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> s.entries(2, 5, 100)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> s.entries(0, 2, 100)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void entriesRespectTheByteLimitButReturnAtLeastOne() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 10, 1)));
        long one = entry(1, 1).sizeInBytes();
        assertThat(s.entries(1, 11, 1)).hasSize(1);
        assertThat(s.entries(1, 11, one * 3)).hasSize(3);
        assertThat(s.entries(4, 11, one * 3 + one / 2)).extracting(LogEntry::index).containsExactly(4L, 5L, 6L);
    }

    @Test
    void truncateSuffixRemovesTheTailAndAllowsNewTerms() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 10, 1)));
        s.truncateSuffix(6);
        assertThat(s.lastIndex()).isEqualTo(5);
        await(s.append(entries(6, 8, 2)));
        assertThat(s.termAt(5)).isEqualTo(1);
        assertThat(s.termAt(6)).isEqualTo(2);
        assertThat(s.entries(5, 9, Long.MAX_VALUE)).containsExactly(entry(5, 1), entry(6, 2), entry(7, 2), entry(8, 2));
    }

    @Test
    void truncateAtLastPlusOneIsANoOpAndOutOfRangeIsRejected() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 3, 1)));
        await(s.truncateSuffix(4));
        assertThat(s.lastIndex()).isEqualTo(3);
        assertThatThrownBy(() -> s.truncateSuffix(5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void truncateEverythingThenStartOver() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 4, 1)));
        await(s.truncateSuffix(1));
        assertThat(s.lastIndex()).isEqualTo(0);
        await(s.append(entries(1, 2, 3)));
        s = restart(s);
        assertThat(s.entries(1, 3, Long.MAX_VALUE)).isEqualTo(entries(1, 2, 3));
    }

    @Test
    void hardStateIsSavedAndSurvivesRestart() throws Exception {
        LogStorage s = create();
        HardState hs = new HardState(7, NodeId.of("n2"));
        await(s.saveHardState(hs));
        assertThat(s.hardState()).isEqualTo(hs);
        await(s.saveHardState(new HardState(8, null)));
        s = restart(s);
        assertThat(s.hardState()).isEqualTo(new HardState(8, null));
    }

    @Test
    void aCompletedFutureImpliesEveryEarlierOneCompleted() throws Exception {
        LogStorage s = create();
        List<CompletableFuture<Void>> futures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            CompletableFuture<Void> f = (i % 10 == 9)
                    ? s.saveHardState(new HardState(i, null))
                    : s.append(List.of(entry(s.lastIndex() + 1, 1)));
            futures.add(f);
            f.thenRun(() -> {
                for (int j = 0; j < n; j++) {
                    if (!futures.get(j).isDone()) {
                        violations.add("mutation " + n + " completed before mutation " + j);
                    }
                }
            });
        }
        await(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)));
        assertThat(violations).isEmpty();
    }

    @Test
    void everyCompletedMutationSurvivesRestart() throws Exception {
        LogStorage s = create();
        s.append(entries(1, 100, 1));
        s.truncateSuffix(51);
        s.append(entries(51, 120, 2));
        s.saveHardState(new HardState(2, NodeId.of("n1")));
        await(s.append(entries(121, 130, 2)));
        s = restart(s);
        assertThat(s.firstIndex()).isEqualTo(1);
        assertThat(s.lastIndex()).isEqualTo(130);
        assertThat(s.hardState()).isEqualTo(new HardState(2, NodeId.of("n1")));
        assertThat(s.entries(1, 51, Long.MAX_VALUE)).isEqualTo(entries(1, 50, 1));
        assertThat(s.entries(51, 131, Long.MAX_VALUE)).isEqualTo(entries(51, 130, 2));
    }

    @Test
    void manyBatchesOfLargerEntriesSurviveRestart() throws Exception {
        LogStorage s = create();
        byte[] payload = new byte[4096];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        CompletableFuture<Void> last = null;
        long index = 1;
        for (int batch = 0; batch < 200; batch++) {
            List<LogEntry> list = new ArrayList<>();
            for (int j = 0; j < 10; j++) {
                list.add(LogEntry.command(index++, 1 + batch / 50, payload));
            }
            last = s.append(list);
        }
        await(last);
        s = restart(s);
        assertThat(s.lastIndex()).isEqualTo(2000);
        assertThat(s.termAt(2000)).isEqualTo(4);
        List<LogEntry> read = s.entries(1500, 1510, Long.MAX_VALUE);
        assertThat(read).hasSize(10);
        assertThat(read.get(0).data()).isEqualTo(payload);
    }

    @Test
    void resetEmptiesTheLogAndContinuesAtTheGivenIndex() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 10, 1)));
        s.reset(501);
        assertThat(s.firstIndex()).isEqualTo(501);
        assertThat(s.lastIndex()).isEqualTo(500);
        assertThatThrownBy(() -> s.termAt(10)).isInstanceOf(IndexOutOfBoundsException.class);
        await(s.append(entries(501, 505, 4)));
        LogStorage r = restart(s);
        assertThat(r.firstIndex()).isEqualTo(501);
        assertThat(r.lastIndex()).isEqualTo(505);
        assertThat(r.entries(501, 506, Long.MAX_VALUE)).isEqualTo(entries(501, 505, 4));
    }

    @Test
    void aResetSurvivesRestartEvenWithNothingAppendedAfterIt() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 10, 1)));
        await(s.reset(42));
        LogStorage r = restart(s);
        assertThat(r.firstIndex()).isEqualTo(42);
        assertThat(r.lastIndex()).isEqualTo(41);
        await(r.append(entries(42, 42, 2)));
        assertThat(r.termAt(42)).isEqualTo(2);
    }

    @Test
    void resetCanMoveTheLogBackwardsToo() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 100, 1)));
        s.purgePrefix(50);
        await(s.reset(20));
        assertThat(s.firstIndex()).isEqualTo(20);
        assertThat(s.lastIndex()).isEqualTo(19);
        LogStorage r = restart(s);
        assertThat(r.firstIndex()).isEqualTo(20);
        assertThat(r.lastIndex()).isEqualTo(19);
    }

    @Test
    void purgePrefixKeepsTheTailReadableAndTheLastIndex() throws Exception {
        LogStorage s = create();
        await(s.append(entries(1, 1000, 1)));
        s.purgePrefix(600);
        assertThat(s.firstIndex()).isBetween(1L, 601L);
        assertThat(s.lastIndex()).isEqualTo(1000);
        assertThat(s.entries(601, 1001, Long.MAX_VALUE)).isEqualTo(entries(601, 1000, 1));
        await(s.append(entries(1001, 1001, 1)));
        s = restart(s);
        assertThat(s.firstIndex()).isBetween(1L, 601L);
        assertThat(s.lastIndex()).isEqualTo(1001);
        assertThat(s.entries(601, 1002, Long.MAX_VALUE)).isEqualTo(entries(601, 1001, 1));
    }
}
