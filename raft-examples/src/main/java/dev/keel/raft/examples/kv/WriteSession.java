package dev.keel.raft.examples.kv;

/**
 * Keeps a sequence of writes in the order they were sent, across retries: those of one client event loop's
 * {@link Batcher}, and so those of each of its connections. While writes go through smoothly they are all in flight
 * at once (they reach the log in order anyway: one node submits them in order, or forwards them in order over one
 * connection). Once one has to be retried (the leader changed), it and every later write of the session go one at
 * a time, in their original order, until the backlog is gone; so a pipelined {@code SET x 1}, {@code SET x 2} can
 * never end with {@code x = 1}.
 *
 * <p>Thread-safe; the bookkeeping itself lives in {@link RaftGateway}, under this object's lock.
 */
public final class WriteSession {
    final java.util.ArrayDeque<Object> order = new java.util.ArrayDeque<>();
    /** Writes held back: waiting for their first attempt or for their turn to retry. */
    int held;
}
