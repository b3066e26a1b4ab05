package dev.keel.raft.internal.runtime;

import dev.keel.raft.internal.engine.Ready;
import dev.keel.raft.spi.LogStorage;

import java.util.concurrent.CompletableFuture;

/**
 * The storage writes a {@link Ready} asks for, issued in the order the engine requires: the hard state, then the reset
 * or the truncation of the log's tail, then the new entries. The one copy of that rule: the runtime and the engine
 * tests both carry out a Ready's writes through it.
 */
public final class ReadyLogWrite {
    private ReadyLogWrite() {
    }

    /**
     * Issues the writes of {@code rd} to {@code storage}.
     *
     * @return the future of the last write issued (a log storage completes its writes in the order they were issued),
     *         or {@code null} when the Ready asks for none
     */
    public static CompletableFuture<Void> issue(LogStorage storage, Ready rd) {
        CompletableFuture<Void> write = null;
        if (rd.hardState() != null) {
            write = storage.saveHardState(rd.hardState());
        }
        if (rd.logReset()) {
            write = storage.reset(rd.firstIndex());
        } else if (storage.lastIndex() >= rd.firstIndex()) {
            write = storage.truncateSuffix(rd.firstIndex());
        }
        if (!rd.entries().isEmpty()) {
            write = storage.append(rd.entries());
        }
        return write;
    }
}
