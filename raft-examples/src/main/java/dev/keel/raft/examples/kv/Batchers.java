package dev.keel.raft.examples.kv;

import io.netty.util.concurrent.EventExecutor;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read and write {@link Batcher}s of each Netty event loop serving clients.
 *
 * <p>Thread-safe; the batchers themselves are confined to their loops.
 */
public final class Batchers {
    private final RaftGateway gateway;
    private final Map<EventExecutor, Loop> loops = new ConcurrentHashMap<>();

    public Batchers(RaftGateway gateway) {
        this.gateway = gateway;
    }

    /** The batchers of {@code loop}; call from that loop. */
    public Loop of(EventExecutor loop) {
        return loops.computeIfAbsent(loop, l -> new Loop(new Batcher(gateway, l, false), new Batcher(gateway, l, true)));
    }

    /** One loop's batchers. */
    public static final class Loop {
        private final Batcher reads;
        private final Batcher writes;

        private Loop(Batcher reads, Batcher writes) {
            this.reads = reads;
            this.writes = writes;
        }

        /** Runs an encoded query linearizably, batched with the loop's other reads. */
        public CompletableFuture<byte[]> read(byte[] query) {
            return reads.submit(query);
        }

        /** Replicates an encoded write, batched with the loop's other writes, in arrival order. */
        public CompletableFuture<byte[]> write(byte[] command) {
            return writes.submit(command);
        }
    }
}
