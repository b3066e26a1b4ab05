package dev.keel.raft.internal.transfer;

import dev.keel.raft.message.RaftMessage;

import java.util.ArrayList;
import java.util.List;

/** Collects what transfers decide, as the engine's outbox would. */
final class RecordingOutput implements TransferOutput {
    final List<RaftMessage> messages = new ArrayList<>();
    final List<SnapshotTask> tasks = new ArrayList<>();
    private long ids;

    @Override
    public void send(RaftMessage message) {
        messages.add(message);
    }

    @Override
    public void snapshotTask(SnapshotTask task) {
        tasks.add(task);
    }

    @Override
    public long newTransferId() {
        return ++ids;
    }

    <T> List<T> tasks(Class<T> type) {
        return tasks.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T> List<T> messages(Class<T> type) {
        return messages.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Everything recorded so far, which then starts over. */
    void clear() {
        messages.clear();
        tasks.clear();
    }
}
