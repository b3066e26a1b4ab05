package dev.keel.raft.internal.runtime;

import java.util.function.Consumer;

/**
 * The callback of a request submitted on this server, with the time it was submitted ({@link System#nanoTime()}): if
 * this server runs it, the commit and apply latencies count from then (a forwarded request's count from its arrival at
 * the leader).
 */
record Submitted(long nanos, Consumer<Reply> done) implements Consumer<Reply> {
    @Override
    public void accept(Reply reply) {
        done.accept(reply);
    }
}
