package dev.keel.raft.internal.runtime;

import dev.keel.raft.Membership;
import dev.keel.raft.NodeId;
import dev.keel.raft.RaftConfig;
import dev.keel.raft.log.SnapshotMetadata;
import dev.keel.raft.spi.SnapshotStorage;
import dev.keel.raft.spi.SnapshotWriter;
import dev.keel.raft.statemachine.StateMachine;
import dev.keel.raft.statemachine.StateSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Takes snapshots: decides when (on the applier thread, after each batch), captures the state machine's frozen view
 * there, and writes it out on the background thread while applying goes on. Confined to the applier thread except
 * where noted.
 */
final class Snapshotter {
    private static final Logger log = LoggerFactory.getLogger(Snapshotter.class);

    private final NodeId self;
    private final RaftConfig config;
    private final SnapshotStorage storage;
    private final StateMachine stateMachine;
    private final Executor background;
    private final Executor applier;
    private final Consumer<SnapshotMetadata> onTaken;
    private final Supplier<KeelState> keelState;
    private final List<CompletableFuture<SnapshotMetadata>> waiting = new ArrayList<>();
    private long lastSnapshotIndex;
    private long entriesSince;
    private long bytesSince;
    private boolean inProgress;
    private boolean unsupported;
    // The state the last batch left, so that a snapshot that fell due while another was being written is taken as
    // soon as that one completes, not only after the next batch (which may never come on an idle cluster).
    private long lastAppliedIndex;
    private long lastAppliedTerm;
    private Membership lastMembership;
    private long lastMembershipIndex;

    /**
     * @param keelState Keel's part of the state as of the last applied entry, asked for on the applier thread
     * @param onTaken   called on the background thread with each snapshot committed
     */
    Snapshotter(NodeId self, RaftConfig config, SnapshotStorage storage, StateMachine stateMachine,
                Supplier<KeelState> keelState, Executor background, Executor applier, long lastSnapshotIndex,
                Consumer<SnapshotMetadata> onTaken) {
        this.self = self;
        this.config = config;
        this.storage = storage;
        this.stateMachine = stateMachine;
        this.background = background;
        this.applier = applier;
        this.lastSnapshotIndex = lastSnapshotIndex;
        this.onTaken = onTaken;
        this.keelState = keelState;
    }

    /** An entry of {@code bytes} was applied. */
    void applied(long bytes) {
        entriesSince++;
        bytesSince += bytes;
    }

    /** The state was replaced by a snapshot ending at {@code index}. */
    void restored(long index) {
        lastSnapshotIndex = Math.max(lastSnapshotIndex, index);
        entriesSince = 0;
        bytesSince = 0;
    }

    /** After a batch: takes a snapshot if enough was applied since the last one. */
    void maybeTake(long appliedIndex, long appliedTerm, Membership membership, long membershipIndex) {
        lastAppliedIndex = appliedIndex;
        lastAppliedTerm = appliedTerm;
        lastMembership = membership;
        lastMembershipIndex = membershipIndex;
        if (!inProgress && !unsupported && appliedIndex > lastSnapshotIndex && membership != null
                && (entriesSince >= config.snapshotInterval() || bytesSince >= config.snapshotLogBytes())) {
            take(appliedIndex, appliedTerm, membership, membershipIndex);
        }
    }

    /** Takes a snapshot now (or joins the one in progress); {@code result} completes when it is durable. */
    void takeNow(long appliedIndex, long appliedTerm, Membership membership, long membershipIndex,
                 CompletableFuture<SnapshotMetadata> result) {
        if (unsupported) {
            result.completeExceptionally(new UnsupportedOperationException(stateMachine.getClass().getName()
                    + " does not support snapshots: its takeSnapshot() returns null"));
            return;
        }
        if (appliedIndex == 0 || membership == null) {
            result.completeExceptionally(new IllegalStateException(self + " has applied nothing yet"));
            return;
        }
        if (appliedIndex <= lastSnapshotIndex && !inProgress) {
            storage.latest().ifPresentOrElse(result::complete, () -> result.completeExceptionally(
                    new IllegalStateException("no snapshot found although one was taken at " + lastSnapshotIndex)));
            return;
        }
        waiting.add(result);
        if (!inProgress) {
            take(appliedIndex, appliedTerm, membership, membershipIndex);
        }
    }

    private void take(long index, long term, Membership membership, long membershipIndex) {
        StateSnapshot view;
        KeelState keel;
        try {
            // Both on the applier thread between two applies: Keel's part and the state machine's are of one index.
            keel = keelState.get();
            view = stateMachine.takeSnapshot();
        } catch (RuntimeException e) {
            log.warn("{}: the state machine failed to capture a snapshot at {}; will retry later", self, index, e);
            entriesSince = 0;
            bytesSince = 0;
            failWaiting(e);
            return;
        }
        if (view == null) {
            unsupported = true;
            log.info("{}: the state machine does not support snapshots; the log will not be compacted", self);
            failWaiting(new UnsupportedOperationException("the state machine does not support snapshots"));
            return;
        }
        inProgress = true;
        entriesSince = 0;
        bytesSince = 0;
        background.execute(() -> write(keel, view, index, term, membership, membershipIndex));
    }

    /** On the background thread. */
    private void write(KeelState keel, StateSnapshot view, long index, long term, Membership membership,
                       long membershipIndex) {
        SnapshotMetadata meta = null;
        Exception failure = null;
        long started = System.nanoTime();
        try (view; SnapshotWriter writer = storage.create(index, term, membership, membershipIndex)) {
            OutputStream out = new BufferedOutputStream(new NonClosing(writer.stream()), 1 << 16);
            SnapshotBody.writeHeader(out, keel);
            view.writeTo(out);
            out.flush();
            meta = writer.commit();
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        if (meta != null) {
            log.info("{}: snapshot {} written in {} ms", self, meta, (System.nanoTime() - started) / 1_000_000);
            onTaken.accept(meta);
        } else {
            log.warn("{}: writing the snapshot at {} failed; will retry later", self, index, failure);
        }
        SnapshotMetadata done = meta;
        Exception error = failure;
        applier.execute(() -> completed(done, error));
    }

    /** Back on the applier thread once a background write has finished. */
    private void completed(SnapshotMetadata meta, Exception error) {
        inProgress = false;
        if (meta != null) {
            lastSnapshotIndex = Math.max(lastSnapshotIndex, meta.index());
            for (CompletableFuture<SnapshotMetadata> f : waiting) {
                f.complete(meta);
            }
            waiting.clear();
        } else {
            failWaiting(error);
        }
        maybeTake(lastAppliedIndex, lastAppliedTerm, lastMembership, lastMembershipIndex);
    }

    private void failWaiting(Exception e) {
        for (CompletableFuture<SnapshotMetadata> f : waiting) {
            f.completeExceptionally(e);
        }
        waiting.clear();
    }

    /** Keeps the state machine from closing the storage's stream. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
