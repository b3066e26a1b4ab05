package dev.keel.raft.internal.engine;

import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.message.InstallSnapshotRequest;
import dev.keel.raft.message.InstallSnapshotResponse;
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
    List<SnapshotWork.Send> snapshotSends = new ArrayList<>();
    List<InstallSnapshotRequest> snapshotChunks = new ArrayList<>();
    List<InstallSnapshotResponse> snapshotAcks = new ArrayList<>();
    List<AdminResult> adminResults = new ArrayList<>();

    boolean isEmpty() {
        return messages.isEmpty() && persistBound.isEmpty() && readStates.isEmpty() && failedReads.isEmpty()
                && !hasSnapshotWork() && adminResults.isEmpty();
    }

    private boolean hasSnapshotWork() {
        return snapshotToRestore != null || !snapshotSends.isEmpty() || !snapshotChunks.isEmpty()
                || !snapshotAcks.isEmpty();
    }

    /** The snapshot work collected so far, which then starts over. */
    SnapshotWork takeSnapshotWork() {
        if (!hasSnapshotWork()) {
            return SnapshotWork.NONE;
        }
        SnapshotWork work = new SnapshotWork(snapshotToRestore, snapshotSends, snapshotChunks, snapshotAcks);
        snapshotToRestore = null;
        snapshotSends = new ArrayList<>();
        snapshotChunks = new ArrayList<>();
        snapshotAcks = new ArrayList<>();
        return work;
    }
}
