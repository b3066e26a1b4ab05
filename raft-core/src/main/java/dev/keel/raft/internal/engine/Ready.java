package dev.keel.raft.internal.engine;

import dev.keel.raft.internal.log.EntryLoad;
import dev.keel.raft.internal.role.AdminResult;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import dev.keel.raft.message.RaftMessage;

import java.util.List;

/**
 * The work the engine asks its driver to do, in this order: write {@code hardState} (if not null), then truncate
 * the log from {@code firstIndex} and append {@code entries}; send {@code messages} at once; send
 * {@code persistBoundMessages} only once those writes and every earlier one are durable; restore the state machine
 * from {@code snapshots.restore()} if set, then hand {@code committedEntries} to it; serve {@code readStates} once
 * applied up to their index; fail {@code failedReads}; carry out the rest of {@code snapshots}; read the
 * {@code loads} off the event loop and hand each answer back ({@link RaftEngine#entriesLoaded},
 * {@link RaftEngine#entryLoadFailed}).
 *
 * @param hardState            hard state to persist, or {@code null} if unchanged
 * @param logReset             whether the storage must first be emptied, to continue at {@code firstIndex} (after an
 *                             installed snapshot)
 * @param firstIndex           index of the first entry in {@code entries}; storage entries from here on are replaced
 * @param entries              entries to write (may be empty)
 * @param messages             messages that may leave before the writes are durable (a leader's)
 * @param persistBoundMessages messages that claim durable state (votes, acknowledgements)
 * @param committedEntries     newly committed entries, in order
 * @param readStates           reads whose index is confirmed
 * @param failedReads          ids of reads that cannot be served here
 * @param softState            the role, term and leader, when any of them changed; otherwise {@code null}
 * @param snapshots            snapshot transfers and installation
 * @param adminResults         membership changes and leadership transfers that finished
 * @param loads                log entries to read from disk for lagging followers; every load must be answered
 *                             (the follower waits for it), unless the server stops
 */
public record Ready(HardState hardState, boolean logReset, long firstIndex, List<LogEntry> entries,
                    List<RaftMessage> messages, List<RaftMessage> persistBoundMessages,
                    List<LogEntry> committedEntries, List<ReadState> readStates, List<Long> failedReads,
                    SoftState softState, SnapshotWork snapshots, List<AdminResult> adminResults,
                    List<EntryLoad> loads) {
}
