package dev.keel.raft.internal.engine;

import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.internal.transfer.SnapshotTask;
import dev.keel.raft.message.RaftMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * What the engine's inputs produced since the last {@link Ready}, other than log state: messages, reads, snapshot
 * work and administrative outcomes. The engine hands it out as part of a Ready and starts a fresh one.
 */
final class Outbox {
    List<RaftMessage> messages = new ArrayList<>();
    List<RaftMessage> persistBound = new ArrayList<>();
    List<ReadState> readStates = new ArrayList<>();
    List<Long> failedReads = new ArrayList<>();
    SnapshotMetadata snapshotToRestore;
    List<SnapshotTask> snapshotTasks = new ArrayList<>();
    List<AdminResult> adminResults = new ArrayList<>();
    List<EntryLoad> loads = new ArrayList<>();

    boolean isEmpty() {
        return messages.isEmpty() && persistBound.isEmpty() && readStates.isEmpty() && failedReads.isEmpty()
                && !hasSnapshotWork() && adminResults.isEmpty() && loads.isEmpty();
    }

    private boolean hasSnapshotWork() {
        return snapshotToRestore != null || !snapshotTasks.isEmpty();
    }

    /** The snapshot work collected so far, which then starts over. */
    SnapshotWork takeSnapshotWork() {
        if (!hasSnapshotWork()) {
            return SnapshotWork.NONE;
        }
        SnapshotWork work = new SnapshotWork(snapshotToRestore, snapshotTasks);
        snapshotToRestore = null;
        snapshotTasks = new ArrayList<>();
        return work;
    }
}
