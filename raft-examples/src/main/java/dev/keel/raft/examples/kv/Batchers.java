package dev.keel.raft.examples.kv;

import io.netty.util.concurrent.EventExecutor;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read {@link Batcher} of each Netty event loop serving clients, and the write batchers of connections: a
 * connection's writes go through its own session ({@link SessionWriter}), batched per turn of its loop.
 *
 * <p>Thread-safe; the batchers themselves are confined to their loops.
 */
public final class Batchers {
    /** Read batches out per loop: ReadIndex rounds are short, so one is enough to keep the node busy. */
    static final int READS_IN_FLIGHT = Integer.getInteger("keel.kv.readsInFlight", 1);
    /** Write batches out per connection: more overlap one batch's fsyncs with the next one's replication. */
    static final int WRITES_IN_FLIGHT = Integer.getInteger("keel.kv.writesInFlight", 4);

    private final RaftGateway gateway;
    private final Map<EventExecutor, Batcher> reads = new ConcurrentHashMap<>();

    public Batchers(RaftGateway gateway) {
        this.gateway = gateway;
    }

    /** The read batcher of {@code loop}; call from that loop. */
    private Batcher reads(EventExecutor loop) {
        return reads.computeIfAbsent(loop, l -> new Batcher(gateway::read, l, false, READS_IN_FLIGHT));
    }

    /** A new connection's reads and writes; call from its loop, close it when the connection closes. */
    public Connection connection(EventExecutor loop) {
        SessionWriter writer = gateway.writer();
        return new Connection(reads(loop), new Batcher(writer::write, loop, true, WRITES_IN_FLIGHT), writer);
    }

    /** One client connection's way to Raft. */
    public static final class Connection implements AutoCloseable {
        private final Batcher reads;
        private final Batcher writes;
        private final SessionWriter writer;

        private Connection(Batcher reads, Batcher writes, SessionWriter writer) {
            this.reads = reads;
            this.writes = writes;
            this.writer = writer;
        }

        /** Runs an encoded query linearizably, batched with the loop's other reads. */
        public CompletableFuture<byte[]> read(byte[] query) {
            return reads.submit(query);
        }

        /** Replicates an encoded write through the connection's session, in arrival order, exactly once. */
        public CompletableFuture<byte[]> write(byte[] command) {
            return writes.submit(command);
        }

        /** The connection closed: its session ends once its writes are done. */
        @Override
        public void close() {
            writer.close();
        }
    }
}
