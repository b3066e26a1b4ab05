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
    /** Read batches out per loop: ReadIndex rounds are short, so one is enough to keep the node busy. */
    static final int READS_IN_FLIGHT = Integer.getInteger("keel.kv.readsInFlight", 1);
    /** Write batches out per loop: two overlap one batch's fsyncs with the next one's replication. */
    static final int WRITES_IN_FLIGHT = Integer.getInteger("keel.kv.writesInFlight", 2);

    private final RaftGateway gateway;
    private final Map<EventExecutor, Loop> loops = new ConcurrentHashMap<>();

    public Batchers(RaftGateway gateway) {
        this.gateway = gateway;
    }

    /** The batchers of {@code loop}; call from that loop. */
    public Loop of(EventExecutor loop) {
        return loops.computeIfAbsent(loop, l -> new Loop(new Batcher(gateway, l, false, READS_IN_FLIGHT),
                new Batcher(gateway, l, true, WRITES_IN_FLIGHT)));
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
