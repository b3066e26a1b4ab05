package dev.keel.raft.internal.engine;

/**
 * A read whose index is confirmed: it may run once the state machine has applied {@code readIndex}.
 *
 * @param requestId the id given to {@link RaftEngine#read(long)}
 * @param readIndex the index the state machine must have applied
 */
public record ReadState(long requestId, long readIndex) {
}
