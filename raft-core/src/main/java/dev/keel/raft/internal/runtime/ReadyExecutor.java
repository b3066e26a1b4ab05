package dev.keel.raft.internal.runtime;

import dev.keel.raft.internal.engine.ReadState;
import dev.keel.raft.internal.engine.Ready;
import dev.keel.raft.internal.engine.SnapshotWork;
import dev.keel.raft.internal.engine.SoftState;
import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.RaftMessage;
import dev.keel.raft.spi.LogStorage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Carries out one engine {@link Ready} at a time, the one copy of the rules for doing so, used by the runtime and by
 * the engine tests' harnesses alike:
 * <ol>
 *   <li>the storage writes, through {@link ReadyLogWrite} (hard state, then reset or truncation, then entries);</li>
 *   <li>the messages that need nothing durable, sent at once (a leader's AppendEntries go out while its own write is
 *       in flight, Raft §10.2.1);</li>
 *   <li>the persist-bound messages (votes, a follower's acknowledgements), held until every write issued so far is
 *       durable: behind this Ready's write, or behind the last write still in flight when this Ready writes nothing,
 *       and sent in the order the writes were issued;</li>
 *   <li>then, in this order, the snapshot to restore, the committed entries, the loads (entries to read for lagging
 *       followers), the snapshot work, the read states and
 *       failed reads, the new soft state and the administrative results, handed to the {@link Effects}.</li>
 * </ol>
 * Once a write is durable the engine is told ({@link Effects#persisted}), in the order the writes were issued.
 *
 * <p>Confined to one thread (the event loop); write completions come back to it through the executor given.
 */
public final class ReadyExecutor {
    private final LogStorage storage;
    private final Effects effects;
    private final Executor completions;
    private final ArrayDeque<PendingWrite> writes = new ArrayDeque<>();

    /** What carrying out a Ready does outside storage; all but the first two may ignore what they are given. */
    public interface Effects {
        /** Sends one message. */
        void send(RaftMessage message);

        /** The entries up to {@code index} (of {@code term}) are durable: tell the engine. */
        void persisted(long index, long term);

        /** A storage write failed: the node must stop (fail-stop). */
        default void writeFailed(Throwable error) {
            throw new IllegalStateException("a log write failed", error);
        }

        /** The state machine must be restored from {@code snapshot}. */
        default void restore(SnapshotMetadata snapshot) {
        }

        /** Entries to apply, in log order. */
        default void committed(List<LogEntry> entries) {
        }

        /** Log entries to read off the event loop for lagging followers; every load must be answered. */
        default void loads(List<EntryLoad> loads) {
        }

        /** Snapshot transfers to start, chunks to store and acknowledgements to handle. */
        default void snapshotWork(SnapshotWork work) {
        }

        /** Reads confirmed at a read index, and reads that failed. */
        default void reads(List<ReadState> readStates, List<Long> failedReads) {
        }

        /** The role, term, leader or configuration changed. */
        default void softState(SoftState state) {
        }

        /** Membership changes and leadership transfers that finished. */
        default void adminResults(List<AdminResult> results) {
        }
    }

    /** A storage write in flight and the messages that must wait for it. */
    private static final class PendingWrite {
        final long lastIndex;
        final long lastTerm;
        final List<RaftMessage> messages;
        boolean done;

        PendingWrite(long lastIndex, long lastTerm, List<RaftMessage> messages) {
            this.lastIndex = lastIndex;
            this.lastTerm = lastTerm;
            this.messages = new ArrayList<>(messages);
        }
    }

    /**
     * @param completions where a write's completion is handed back to this executor's thread ({@code Runnable::run}
     *                    when storage completes on the caller's thread, as in-memory test storage does)
     */
    public ReadyExecutor(LogStorage storage, Effects effects, Executor completions) {
        this.storage = storage;
        this.effects = effects;
        this.completions = completions;
    }

    /** Carries out {@code rd}. */
    public void execute(Ready rd) {
        CompletableFuture<Void> write = ReadyLogWrite.issue(storage, rd);
        for (RaftMessage m : rd.messages()) {
            effects.send(m);
        }
        if (write != null) {
            long lastIndex = 0;
            long lastTerm = 0;
            if (!rd.entries().isEmpty()) {
                LogEntry last = rd.entries().get(rd.entries().size() - 1);
                lastIndex = last.index();
                lastTerm = last.term();
            }
            PendingWrite w = new PendingWrite(lastIndex, lastTerm, rd.persistBoundMessages());
            writes.add(w);
            write.whenComplete((v, e) -> completions.execute(() -> writeDone(w, e)));
        } else if (!writes.isEmpty()) {
            writes.peekLast().messages.addAll(rd.persistBoundMessages());
        } else {
            rd.persistBoundMessages().forEach(effects::send);
        }
        SnapshotWork snapshots = rd.snapshots();
        if (snapshots.restore() != null) {
            effects.restore(snapshots.restore());
        }
        if (!rd.committedEntries().isEmpty()) {
            effects.committed(rd.committedEntries());
        }
        if (!rd.loads().isEmpty()) {
            effects.loads(rd.loads());
        }
        if (!snapshots.isEmpty()) {
            effects.snapshotWork(snapshots);
        }
        if (!rd.readStates().isEmpty() || !rd.failedReads().isEmpty()) {
            effects.reads(rd.readStates(), rd.failedReads());
        }
        if (rd.softState() != null) {
            effects.softState(rd.softState());
        }
        // After the role change: whoever sees a transfer complete must see this server's new role.
        if (!rd.adminResults().isEmpty()) {
            effects.adminResults(rd.adminResults());
        }
    }

    /** Storage writes issued and not yet durable. */
    public int writesInFlight() {
        return writes.size();
    }

    private void writeDone(PendingWrite w, Throwable error) {
        if (error != null) {
            effects.writeFailed(error);
            return;
        }
        w.done = true;
        while (!writes.isEmpty() && writes.peek().done) {
            PendingWrite head = writes.poll();
            head.messages.forEach(effects::send);
            if (head.lastIndex > 0) {
                effects.persisted(head.lastIndex, head.lastTerm);
            }
        }
    }
}
