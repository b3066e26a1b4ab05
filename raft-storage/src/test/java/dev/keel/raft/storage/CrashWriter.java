package dev.keel.raft.storage;

import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link CrashTest}; not a test. In {@code write} mode it opens the log and appends, truncates
 * and saves hard state forever, keeping up to 64 mutations in flight, and prints one line per mutation once its
 * future completed (so once it is durable), in completion order:
 * <pre>
 * OPEN first last          after open
 * A from to term            entries from..to appended in term
 * I k from                  printed before truncation number k is called (it may be durable after a crash
 *                           even if never acknowledged, removing acknowledged entries: the contract allows that)
 * T k from                  truncation number k is durable
 * H term                    hard state saved
 * P upTo                    printed before a purge is requested (purges have no future)
 * </pre>
 * In {@code hold} mode it opens the log, prints {@code OPEN}, and holds it until its standard input closes.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        String mode = args[2];
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        StorageConfig config = StorageConfig.builder(dir).segmentSizeBytes(64 * 1024).cacheSizeBytes(256 * 1024)
                .build();
        FileLogStorage storage = FileLogStorage.open(config);
        out.println("OPEN " + storage.firstIndex() + " " + storage.lastIndex());
        if (mode.equals("hold")) {
            while (System.in.read() >= 0) {
                // hold the lock until the parent closes our input or kills us
            }
            storage.close();
            return;
        }
        write(storage, new SplittableRandom(seed), out);
    }

    /** A mutation in call order, with the line to print once it is durable. */
    private record Pending(CompletableFuture<Void> future, String line) {
    }

    private static void write(FileLogStorage storage, SplittableRandom random, PrintStream out)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(64);
        BlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
        // Lines are printed in call order by one thread, each after its future completed. Futures complete in call
        // order, so this is also completion order; printing from the callbacks instead would not be, because a
        // callback registered after its future completed runs on the registering thread.
        Thread printer = new Thread(() -> print(pending, inFlight, out), "printer");
        printer.setDaemon(true);
        printer.start();
        long lastTerm = storage.lastIndex() >= storage.firstIndex() ? storage.termAt(storage.lastIndex()) : 0;
        long term = Math.max(storage.hardState().term(), lastTerm) + 1;
        inFlight.acquire();
        pending.add(new Pending(storage.saveHardState(new HardState(term, null)), "H " + term));
        long appendsSincePurge = 0;
        long truncations = 0;
        while (true) {
            int action = random.nextInt(100);
            long last = storage.lastIndex();
            inFlight.acquire();
            if (action < 2 && last >= storage.firstIndex()) {
                long from = Math.max(storage.firstIndex(), last - random.nextInt(40));
                long k = ++truncations;
                out.println("I " + k + " " + from);
                pending.add(new Pending(storage.truncateSuffix(from), "T " + k + " " + from));
                term++;
                inFlight.acquire();
                pending.add(new Pending(storage.saveHardState(new HardState(term, null)), "H " + term));
            } else if (action < 3 && appendsSincePurge > 500) {
                inFlight.release();
                long upTo = last - 3000;
                if (upTo > storage.firstIndex()) {
                    out.println("P " + upTo);
                    storage.purgePrefix(upTo);
                }
                appendsSincePurge = 0;
            } else {
                long from = last + 1;
                long to = from + random.nextInt(8);
                List<LogEntry> batch = TestLogs.entries(from, to, term);
                pending.add(new Pending(storage.append(batch), "A " + from + " " + to + " " + term));
                appendsSincePurge++;
            }
        }
    }

    private static void print(BlockingQueue<Pending> pending, Semaphore inFlight, PrintStream out) {
        while (true) {
            Pending p;
            try {
                p = pending.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                p.future().join();
            } catch (RuntimeException e) {
                out.println("FAILED " + p.line() + " " + e);
                System.exit(3);
            }
            out.println(p.line());
            inFlight.release();
        }
    }
}
