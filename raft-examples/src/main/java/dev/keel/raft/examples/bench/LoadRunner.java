package dev.keel.raft.examples.bench;

import dev.keel.raft.RaftServer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Closed-loop load: {@code writers} threads, each issuing one operation and waiting for its result before the next.
 * Latencies go into an HdrHistogram; the warm-up is discarded.
 */
final class LoadRunner {

    /** What one thread does per operation. */
    enum Mode {
        WRITE, READ, MIXED
    }

    /** The outcome of one run. */
    record Result(long operations, long errors, double seconds, Histogram latencyMicros, long cpuNanos,
                  long allocatedBytes, long allocatedBytesOnLeader, long maxGcPauseMillis, long gcPauses) {
        double opsPerSecond() {
            return operations / seconds;
        }
    }

    private final Supplier<RaftServer> leader;
    private final byte[] payload;

    LoadRunner(Supplier<RaftServer> leader, int payloadBytes) {
        this.leader = leader;
        this.payload = new byte[payloadBytes];
    }

    Result run(Mode mode, int writers, Duration warmup, Duration measure, String leaderId) throws InterruptedException {
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            boolean writer = mode == Mode.WRITE || (mode == Mode.MIXED && w % 2 == 0);
            Thread t = new Thread(() -> loop(writer, stop, measuring, recorder, ops, errors), "bench-client-" + w);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        Thread.sleep(warmup.toMillis());
        recorder.reset();
        JvmMeters meters = JvmMeters.start(leaderId);
        long start = System.nanoTime();
        measuring.set(true);
        Thread.sleep(measure.toMillis());
        measuring.set(false);
        double seconds = (System.nanoTime() - start) / 1e9;
        JvmMeters.Totals totals = meters.stop();
        Histogram h = recorder.getIntervalHistogram();
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        return new Result(h.getTotalCount(), errors.get(), seconds, h, totals.cpuNanos(), totals.allocatedBytes(),
                totals.allocatedOnLeader(), totals.maxGcPauseMillis(), totals.gcPauses());
    }

    private void loop(boolean write, AtomicBoolean stop, AtomicBoolean measuring, Recorder recorder, AtomicLong ops,
                      AtomicLong errors) {
        RaftServer target = leader.get();
        while (!stop.get()) {
            long t0 = System.nanoTime();
            try {
                if (write) {
                    target.submit(payload).get(10, TimeUnit.SECONDS);
                } else {
                    target.read(payload).get(10, TimeUnit.SECONDS);
                }
            } catch (ExecutionException | TimeoutException e) {
                errors.incrementAndGet();
                target = leader.get();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (measuring.get()) {
                recorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                ops.incrementAndGet();
            }
        }
    }
}
