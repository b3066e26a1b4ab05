package dev.keel.raft.examples.bench;

import dev.keel.raft.examples.SuppressForbidden;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load: {@code writers} threads, each issuing one operation and waiting for its result before the next.
 * Latencies go into an HdrHistogram; the warm-up is discarded. Bounded by the warm-up plus the measurement window.
 */
final class LoadRunner {
    private static final Logger log = LoggerFactory.getLogger(LoadRunner.class);
    private static final long JOIN_MILLIS = 15_000;

    /** What the load threads do per operation. */
    enum Mode {
        /** every thread writes */
        WRITE,
        /** every thread reads (linearizable) */
        READ,
        /** even-numbered threads write, odd-numbered ones read */
        MIXED
    }

    private final BenchTarget target;

    LoadRunner(BenchTarget target) {
        this.target = target;
    }

    Report run(Mode mode, int writers, Duration warmup, Duration measure) throws InterruptedException {
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            boolean write = mode == Mode.WRITE || (mode == Mode.MIXED && w % 2 == 0);
            int thread = w;
            Thread t = new Thread(() -> loop(thread, write, stop, measuring, recorder, errors), "bench-client-" + w);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        letLoadRun(warmup);
        recorder.reset();
        long errorsBefore = errors.get();
        BenchTarget.Meters meters = target.startMeters();
        long start = System.nanoTime();
        measuring.set(true);
        letLoadRun(measure);
        measuring.set(false);
        double seconds = (System.nanoTime() - start) / 1e9;
        BenchTarget.Costs costs = meters.stop();
        Histogram h = recorder.getIntervalHistogram();
        long measuredErrors = errors.get() - errorsBefore;
        stop.set(true);
        for (Thread t : threads) {
            t.join(JOIN_MILLIS);
            if (t.isAlive()) {
                log.warn("{} did not stop within {} ms; it is a daemon and is left behind", t.getName(), JOIN_MILLIS);
            }
        }
        return Report.of(mode, writers, seconds, h, measuredErrors, costs);
    }

    /** Returns once the load has run for {@code window}. */
    @SuppressForbidden
    private static void letLoadRun(Duration window) throws InterruptedException {
        // Allowed sleep: the warm-up and the measurement are windows of time the user chose, so time passing is the
        // condition; the load threads run on their own meanwhile.
        Thread.sleep(window.toMillis());
    }

    private void loop(int thread, boolean write, AtomicBoolean stop, AtomicBoolean measuring, Recorder recorder,
                      AtomicLong errors) {
        BenchClient client = null;
        while (!stop.get()) {
            long t0 = System.nanoTime();
            try {
                if (client == null) {
                    client = target.connect(thread);
                    continue;
                }
                if (write) {
                    client.write();
                } else {
                    client.read();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                errors.incrementAndGet();
                log.debug("bench-client-{}: {}", thread, e.toString());
                if (client != null) {
                    client.close();
                    client = null;
                }
                continue;
            }
            if (measuring.get()) {
                recorder.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
            }
        }
        if (client != null) {
            client.close();
        }
    }
}
