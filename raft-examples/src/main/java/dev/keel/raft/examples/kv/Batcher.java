package dev.keel.raft.examples.kv;

import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Gathers the commands sent in one turn of a Netty event loop into one Raft request: the reads of all the loop's
 * clients into one {@code RaftServer.read} (they share a read index: each was received before the read started, so the
 * index covers everything acknowledged before any of them began), or one connection's pipelined writes into one log
 * entry, submitted through its session (applied in arrival order, each with its own reply). Costs per Raft request (a
 * proposal, a log record, a ReadIndex registration, hand-offs between threads) are then paid once per batch instead of
 * once per command, which is what many clients or pipelining need. A batch of one is sent as is.
 *
 * <p>Confined to its event loop: {@link #submit} must be called there; the batch is sent when the loop has finished
 * reading from its sockets (a task queued on the loop), or earlier when it is full.
 */
final class Batcher {
    /** Commands per batch at most. */
    static final int MAX_ITEMS = 1024;
    /** Bytes of encoded commands per batch at most: one log entry stays well below a 1 MiB AppendEntries batch. */
    static final int MAX_BYTES = 512 * 1024;

    private final Function<byte[], CompletableFuture<byte[]>> sender;
    private final EventExecutor loop;
    private final boolean write;
    private final int maxInFlight;
    private int inFlight;
    private List<byte[]> items = new ArrayList<>();
    private List<CompletableFuture<byte[]>> waiting = new ArrayList<>();
    private int bytes;
    private boolean flushScheduled;

    /**
     * @param sender      sends an encoded command or batch and completes with its reply (never exceptionally)
     * @param write       whether the commands are writes ({@link Op#WRITE_BATCH}) or reads ({@link Op#READ_BATCH})
     * @param maxInFlight batches sent and not yet answered at most; while that many are out, commands gather into
     *                    the next batch, so batches grow with the load instead of each costing a Raft round
     */
    Batcher(Function<byte[], CompletableFuture<byte[]>> sender, EventExecutor loop, boolean write, int maxInFlight) {
        this.sender = sender;
        this.loop = loop;
        this.write = write;
        this.maxInFlight = maxInFlight;
    }

    /** Queues an encoded command or query; the future completes with its own reply. */
    CompletableFuture<byte[]> submit(byte[] encoded) {
        assert loop.inEventLoop();
        if (!items.isEmpty() && (items.size() >= MAX_ITEMS || bytes + encoded.length > MAX_BYTES)) {
            flush(true);
        }
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        items.add(encoded);
        waiting.add(f);
        bytes += encoded.length;
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(this::flushTask);
        }
        return f;
    }

    private void flushTask() {
        flushScheduled = false;
        flush(false);
    }

    /** Sends the gathered commands, unless enough batches are out already (then their answers flush it). */
    private void flush(boolean full) {
        if (items.isEmpty() || (!full && inFlight >= maxInFlight)) {
            return;
        }
        inFlight++;
        List<byte[]> batch = items;
        List<CompletableFuture<byte[]>> futures = waiting;
        items = new ArrayList<>();
        waiting = new ArrayList<>();
        bytes = 0;
        if (batch.size() == 1) {
            send(batch.get(0)).thenAccept(reply -> {
                futures.get(0).complete(reply);
                answered();
            });
            return;
        }
        byte[] command = new KvCommand(write ? Op.WRITE_BATCH : Op.READ_BATCH, 0, batch).encode();
        send(command).thenAccept(reply -> {
            complete(futures, reply);
            answered();
        });
    }

    /** A batch was answered (on whatever thread): back on the loop, send what gathered meanwhile. */
    private void answered() {
        loop.execute(() -> {
            inFlight--;
            flush(false);
        });
    }

    private static void complete(List<CompletableFuture<byte[]>> futures, byte[] reply) {
        if (Replies.isError(reply)) {
            futures.forEach(f -> f.complete(reply));
            return;
        }
        List<byte[]> replies;
        try {
            replies = Batch.split(reply, futures.size());
        } catch (IllegalArgumentException e) {
            byte[] error = Replies.error("ERR internal: " + e.getMessage());
            futures.forEach(f -> f.complete(error));
            return;
        }
        for (int i = 0; i < futures.size(); i++) {
            futures.get(i).complete(replies.get(i));
        }
    }

    private CompletableFuture<byte[]> send(byte[] command) {
        return sender.apply(command);
    }
}
