package dev.keel.raft.internal.transfer;

import dev.keel.raft.message.RaftMessage;

/** Where snapshot transfers put what they decide: messages and disk work, both handed out in the next Ready. */
public interface TransferOutput {

    /** Queues a message. */
    void send(RaftMessage message);

    /** Queues disk work for the driver. */
    void snapshotTask(SnapshotTask task);

    /** A fresh transfer id, unique within this engine. */
    long newTransferId();
}
