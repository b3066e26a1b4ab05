package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.exception.StorageException;
import dev.keel.raft.internal.engine.RaftEngine;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.spi.LogStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * Carries out a {@code Ready}'s loads: the log entries a leader needs for lagging followers that its storage holds
 * only on disk are read with {@link LogStorage#entriesAsync}, on the storage's own thread, and each answer goes back
 * to the engine on the event loop, so that no disk read blocks it. Entries that are gone by the time the read runs
 * (compacted or truncated meanwhile) are reported to the engine, which falls back to a snapshot; any other read
 * failure is a storage failure and stops the server (fail-stop), as a failed write does.
 */
final class EntryLoader {
    private static final Logger log = LoggerFactory.getLogger(EntryLoader.class);

    private final NodeId self;
    private final LogStorage storage;
    private final RaftEngine engine;
    private final Consumer<Runnable> eventLoop;
    private final Consumer<Throwable> fatal;

    /**
     * @param eventLoop runs a task on the event loop (the engine is touched only there)
     * @param fatal     stops the server after a storage failure
     */
    EntryLoader(NodeId self, LogStorage storage, RaftEngine engine, Consumer<Runnable> eventLoop,
                Consumer<Throwable> fatal) {
        this.self = self;
        this.storage = storage;
        this.engine = engine;
        this.eventLoop = eventLoop;
        this.fatal = fatal;
    }

    /** Starts the reads; on the event loop. */
    void start(List<EntryLoad> loads) {
        for (EntryLoad load : loads) {
            CompletableFuture<List<LogEntry>> read;
            try {
                read = storage.entriesAsync(load.from(), load.to(), load.maxBytes());
            } catch (RuntimeException e) {
                read = CompletableFuture.failedFuture(e);
            }
            read.whenComplete((entries, error) -> eventLoop.accept(() -> done(load, entries, error)));
        }
    }

    private void done(EntryLoad load, List<LogEntry> entries, Throwable error) {
        if (error == null) {
            engine.entriesLoaded(load, entries);
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof IndexOutOfBoundsException) {
            log.debug("{}: {} found the entries gone: {}", self, load, cause.getMessage());
            engine.entryLoadFailed(load);
        } else {
            fatal.accept(cause instanceof StorageException ? cause : new StorageException(self
                    + ": reading log entries for " + load.peer() + " failed; stopping (fail-stop)", cause));
        }
    }
}
