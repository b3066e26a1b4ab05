package dev.keel.raft.storage;

import dev.keel.raft.log.LogEntry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the storage tests: self-describing payloads and bounded waits. */
final class TestLogs {
    static final long WAIT_SECONDS = 30;

    private TestLogs() {
    }

    /**
     * The payload of entry {@code index} in {@code term}: its length and bytes are a function of both, so any entry
     * read back can be checked without remembering what was written.
     */
    static byte[] payload(long index, long term) {
        SplittableRandom r = new SplittableRandom(index * 0x9E3779B97F4A7C15L ^ term);
        byte[] head = (index + "@" + term + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] data = new byte[head.length + r.nextInt(200)];
        System.arraycopy(head, 0, data, 0, head.length);
        for (int i = head.length; i < data.length; i++) {
            data[i] = (byte) r.nextInt(256);
        }
        return data;
    }

    static LogEntry entry(long index, long term) {
        return LogEntry.command(index, term, payload(index, term));
    }

    static List<LogEntry> entries(long from, long toInclusive, long term) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            out.add(entry(i, term));
        }
        return out;
    }

    static void await(CompletableFuture<?> f) throws Exception {
        f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Seed for a randomized test: {@code -Dkeel.test.seed=N} replays a run; printed either way. */
    static long seed(String test) {
        String fixed = System.getProperty("keel.test.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(test + " seed=" + seed + " (replay with -Dkeel.test.seed=" + seed + ")");
        return seed;
    }
}
