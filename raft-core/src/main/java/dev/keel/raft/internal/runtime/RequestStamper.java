package dev.keel.raft.internal.runtime;

import dev.keel.raft.RaftConfig;
import dev.keel.raft.message.ClientRequest;

import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * Turns a client request this server runs as leader into the data of its log entry ({@link RequestEntry}), stamped
 * with the log time: this server's clock, but never behind what it stamped before or what the log has reached (a
 * leader whose clock is behind its predecessor's holds log time still instead of moving it back; the applier keeps
 * it from going back in any case). A session opens under this server's limits, which then bind every replica.
 *
 * <p>Confined to the event loop.
 */
final class RequestStamper {
    private final RaftConfig config;
    private final Clock clock;
    private final LongSupplier appliedLogTime;
    private long lastStamp;

    /**
     * @param appliedLogTime the log time the applier has reached (any thread may read it)
     */
    RequestStamper(RaftConfig config, Clock clock, LongSupplier appliedLogTime) {
        this.config = config;
        this.clock = clock;
        this.appliedLogTime = appliedLogTime;
    }

    /** The entry data for {@code request}, or {@code null} if it is not a request that goes into the log as one. */
    byte[] entryFor(ClientRequest request) {
        if (request instanceof ClientRequest.Command c) {
            return RequestEntry.command(stamp(), c.command());
        } else if (request instanceof ClientRequest.SessionCommand c) {
            return RequestEntry.sessionCommand(stamp(), c.sessionId(), c.sequence(), c.acknowledged(), c.command());
        } else if (request instanceof ClientRequest.OpenSession) {
            return RequestEntry.openSession(stamp(), new RequestEntry.SessionLimits(config.sessionTimeout().toMillis(),
                    config.maxSessions(), config.sessionMaxPending(), config.sessionMaxCachedBytes()));
        } else if (request instanceof ClientRequest.KeepAlive k) {
            return RequestEntry.keepAlive(stamp(), k.sessionId(), k.acknowledged());
        } else if (request instanceof ClientRequest.CloseSession c) {
            return RequestEntry.closeSession(stamp(), c.sessionId());
        }
        return null;
    }

    private long stamp() {
        long now = Math.max(clock.millis(), 0);
        lastStamp = Math.max(now, Math.max(lastStamp, appliedLogTime.getAsLong()));
        return lastStamp;
    }
}
