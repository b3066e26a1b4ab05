package dev.keel.raft.internal.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A read waiting for its read index, then for the state machine to reach it.
 *
 * @param query  the query bytes
 * @param future the reader's future
 */
record PendingQuery(byte[] query, CompletableFuture<byte[]> future) {
}
