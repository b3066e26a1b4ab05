package dev.keel.raft.testing;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.HardState;
import dev.keel.raft.spi.LogStorage;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryLogStorageTest extends LogStorageContract {

    @Override
    protected LogStorage createStorage() {
        return InMemoryLogStorage.autoSync();
    }

    @Override
    protected LogStorage reopen(LogStorage storage) {
        InMemoryLogStorage s = (InMemoryLogStorage) storage;
        s.syncAll();
        return s.crash();
    }

    @Test
    void aCrashLosesExactlyTheMutationsNotYetSynced() {
        InMemoryLogStorage s = InMemoryLogStorage.manualSync();
        CompletableFuture<Void> first = s.append(entries(1, 3, 1));
        CompletableFuture<Void> hs = s.saveHardState(new HardState(2, null));
        CompletableFuture<Void> second = s.append(entries(4, 6, 2));
        assertThat(s.pendingCount()).isEqualTo(3);
        s.syncNext();
        s.syncNext();
        assertThat(first).isCompleted();
        assertThat(hs).isCompleted();
        assertThat(second).isNotDone();

        InMemoryLogStorage restarted = s.crash();
        assertThat(restarted.lastIndex()).isEqualTo(3);
        assertThat(restarted.hardState()).isEqualTo(new HardState(2, null));
    }

    @Test
    void aFailedSyncFailsThatAndEveryLaterMutation() {
        InMemoryLogStorage s = InMemoryLogStorage.manualSync();
        s.failNextSync();
        CompletableFuture<Void> a = s.append(entries(1, 1, 1));
        s.syncAll();
        assertThat(a).isCompletedExceptionally();
        assertThat(s.append(entries(2, 2, 1))).isCompletedExceptionally();
        assertThat(s.crash().lastIndex()).isEqualTo(0);
    }

    @Test
    void autoSyncCompletesAtOnce() {
        InMemoryLogStorage s = InMemoryLogStorage.autoSync();
        assertThat(s.append(entries(1, 2, 1))).isCompleted();
        assertThat(s.crash().lastIndex()).isEqualTo(2);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> s.lastIndex()))
                .isInstanceOf(StorageException.class);
    }
}
