package dev.keel.raft.examples.kv.admin;

import dev.keel.raft.RaftServer;
import dev.keel.raft.ServerStatus;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The node's health as the admin port reports it.
 * <ul>
 *   <li><b>live</b>: the process serves and its Raft server runs (a fatal error stops it, and then the process).</li>
 *   <li><b>ready</b>: it knows a leader, and it has caught up: a linearizable read (ReadIndex, §6.4 of the Raft
 *   thesis) completes here within {@code readTimeout}. That read proves a leader that a majority still follows and
 *   that this node has applied everything that leader had committed when the probe began, so a node that is behind
 *   (restarted, cut off, or catching up from a snapshot) stays not ready until it is not.</li>
 * </ul>
 * Thread-safe.
 */
public final class Health {
    private final RaftServer raft;
    private final Supplier<CompletableFuture<?>> probeRead;
    private final Duration readTimeout;

    /** What a check found: whether it passed, and why, in one line for the operator. */
    public record Check(boolean ok, String detail) {
    }

    /**
     * @param probeRead   starts a linearizable read of nothing much (a key that is never written)
     * @param readTimeout how long the read may take before the node counts as not caught up
     */
    public Health(RaftServer raft, Supplier<CompletableFuture<?>> probeRead, Duration readTimeout) {
        this.raft = raft;
        this.probeRead = probeRead;
        this.readTimeout = readTimeout;
    }

    /** Whether the node serves at all. */
    public Check live() {
        if (raft.isClosed()) {
            return new Check(false, "raft stopped" + raft.failure().map(f -> ": " + f).orElse(""));
        }
        return new Check(true, "live");
    }

    /** Whether the node knows a leader and has caught up with it; blocks up to the read timeout. */
    public Check ready() {
        Check live = live();
        if (!live.ok()) {
            return live;
        }
        ServerStatus s = raft.status();
        if (s.leader() == null) {
            return new Check(false, "no leader known (term " + s.term() + ", " + role(s) + ")");
        }
        try {
            probeRead.get().get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            ServerStatus now = raft.status();
            return new Check(false, "not caught up: a linearizable read did not complete within "
                    + readTimeout.toMillis() + " ms (applied " + now.appliedIndex() + ", commit " + now.commitIndex()
                    + ", leader " + leader(now) + ")");
        } catch (ExecutionException e) {
            return new Check(false, "a linearizable read failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(false, "interrupted");
        }
        ServerStatus now = raft.status();
        return new Check(true, "ready: " + role(now) + " in term " + now.term() + ", leader " + leader(now)
                + ", applied " + now.appliedIndex());
    }

    private static String role(ServerStatus s) {
        return s.role().name().toLowerCase(Locale.ROOT);
    }

    private static String leader(ServerStatus s) {
        return s.leader() == null ? "unknown" : s.leader().value();
    }
}
