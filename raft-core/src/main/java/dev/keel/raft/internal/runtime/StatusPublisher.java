package dev.keel.raft.internal.runtime;

import dev.keel.raft.NodeId;
import dev.keel.raft.RaftListener;
import dev.keel.raft.Role;
import dev.keel.raft.ServerStatus;
import dev.keel.raft.internal.engine.SoftState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Publishes what this server's status is, for any thread to read: the event loop builds one immutable
 * {@link ServerStatus} per batch (and before it hands committed entries or a snapshot to the applier, and on each
 * soft-state change) and swaps it in through one volatile field, so a status is one moment of the loop.
 *
 * <p>The applied index is the one value another thread moves: the applier. {@link #status()} shows the applier's
 * progress as of the call, but never beyond the status's commit index; since the loop publishes a commit index before
 * it hands the entries up to it to the applier, that cap only hides entries applied after a newer status was swapped
 * in, and every status has {@code appliedIndex <= commitIndex}. Successive calls never see an index go back.
 *
 * <p>Listeners are called on the event loop with the status just published.
 */
final class StatusPublisher {
    private static final Logger log = LoggerFactory.getLogger(StatusPublisher.class);

    private final NodeId self;
    private final LongSupplier applied;
    private final List<RaftListener> listeners = new CopyOnWriteArrayList<>();
    private volatile ServerStatus current;
    // Event loop only.
    private SoftState soft;
    private Map<NodeId, Long> matchIndex = Map.of();
    private long snapshotIndex;

    /**
     * @param applied the applier's applied index (any thread)
     * @param initial the soft state the server starts in
     */
    StatusPublisher(NodeId self, LongSupplier applied, SoftState initial, long snapshotIndex, long commitIndex,
                    long firstLogIndex, long lastLogIndex) {
        this.self = self;
        this.applied = applied;
        this.soft = initial;
        this.snapshotIndex = snapshotIndex;
        publish(commitIndex, firstLogIndex, lastLogIndex, false);
    }

    /** The current status (any thread). */
    ServerStatus status() {
        ServerStatus s = current;
        long now = Math.min(applied.getAsLong(), s.commitIndex());
        if (now <= s.appliedIndex()) {
            return s;
        }
        return new ServerStatus(s.id(), s.role(), s.term(), s.leader(), s.commitIndex(), now, s.firstLogIndex(),
                s.lastLogIndex(), s.snapshotIndex(), s.membership(), s.membershipIndex(),
                s.membershipChangeInProgress(), s.matchIndex());
    }

    /** Builds and swaps in a new status from the loop's view of the engine (event loop). */
    void publish(long commitIndex, long firstLogIndex, long lastLogIndex, boolean membershipChangeInProgress) {
        ServerStatus previous = current;
        long appliedNow = Math.min(applied.getAsLong(), commitIndex);
        if (previous != null) {
            appliedNow = Math.max(appliedNow, Math.min(previous.appliedIndex(), commitIndex));
        }
        SoftState s = soft;
        current = new ServerStatus(self, s.role(), s.term(), s.leader(), commitIndex, appliedNow, firstLogIndex,
                lastLogIndex, snapshotIndex, s.membership(), s.membershipIndex(), membershipChangeInProgress,
                s.role() == Role.LEADER ? matchIndex : Map.of());
    }

    /** The soft state the loop last saw (event loop). */
    SoftState soft() {
        return soft;
    }

    /** The role, term, leader or configuration changed; published with the next {@link #publish} (event loop). */
    SoftState softStateChanged(SoftState now) {
        SoftState previous = soft;
        soft = now;
        return previous;
    }

    /** A leader's view of its followers, refreshed per tick, not per batch (it allocates); event loop. */
    void matchIndex(Map<NodeId, Long> value) {
        // Copied once here, so that ServerStatus's own copy of it per batch finds it immutable and keeps it.
        matchIndex = Map.copyOf(value);
    }

    /** A snapshot up to {@code index} was taken or installed (event loop). */
    void snapshotIndex(long index) {
        snapshotIndex = Math.max(snapshotIndex, index);
    }

    void addListener(RaftListener listener) {
        listeners.add(listener);
    }

    void removeListener(RaftListener listener) {
        listeners.remove(listener);
    }

    /** Tells the listeners the status last published (event loop). */
    void notifyListeners() {
        if (listeners.isEmpty()) {
            return;
        }
        ServerStatus status = status();
        for (RaftListener l : listeners) {
            try {
                l.onStateChange(status);
            } catch (RuntimeException e) {
                log.warn("{}: listener {} failed", self, l, e);
            }
        }
    }
}
