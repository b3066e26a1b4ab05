package dev.keel.raft.examples.kv.resp;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the node's clients got: commands answered, error replies by kind ({@code -TRYAGAIN}: nothing done, retry;
 * {@code -INDETERMINATE}: a write may or may not have applied; any other {@code -ERR}), and the recent rate, for
 * INFO's {@code # Stats}, the status view and {@code /metrics}.
 *
 * <p>Thread-safe: every client event loop counts into it; {@link #sample()} runs on one timer thread.
 */
public final class RequestStats {
    private static final byte[] TRYAGAIN = "-TRYAGAIN".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] INDETERMINATE = "-INDETERMINATE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final LongAdder commands = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder tryAgain = new LongAdder();
    private final LongAdder indeterminate = new LongAdder();
    // Sampler state, on the timer thread.
    private long lastCount;
    private long lastNanos = System.nanoTime();
    private volatile double opsPerSecond;

    /** A reply is written to a client (its event loop). */
    void replied(byte[] reply) {
        commands.increment();
        if (reply.length > 0 && reply[0] == '-') {
            errors.increment();
            if (startsWith(reply, TRYAGAIN)) {
                tryAgain.increment();
            } else if (startsWith(reply, INDETERMINATE)) {
                indeterminate.increment();
            }
        }
    }

    private static boolean startsWith(byte[] reply, byte[] prefix) {
        if (reply.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (reply[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Updates {@link #opsPerSecond()} with the commands answered since the last call; call about once a second. */
    public void sample() {
        long now = System.nanoTime();
        long count = commands.sum();
        long elapsed = now - lastNanos;
        if (elapsed > 0) {
            opsPerSecond = (count - lastCount) * 1e9 / elapsed;
        }
        lastCount = count;
        lastNanos = now;
    }

    /** Commands answered since the node started. */
    public long commands() {
        return commands.sum();
    }

    /** Error replies of any kind. */
    public long errors() {
        return errors.sum();
    }

    /** {@code -TRYAGAIN} replies: nothing was done (no leader within the wait, too busy, stopping). */
    public long tryAgain() {
        return tryAgain.sum();
    }

    /** {@code -INDETERMINATE} replies: the write may or may not have been applied. */
    public long indeterminate() {
        return indeterminate.sum();
    }

    /** Commands answered per second, between the last two samples. */
    public double opsPerSecond() {
        return opsPerSecond;
    }

    /** Publishes these counts on {@code registry} ({@code keel_kv_commands_total}, {@code keel_kv_errors_total}). */
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("keel.kv.commands", commands, LongAdder::sum)
                .description("Commands answered to clients").register(registry);
        FunctionCounter.builder("keel.kv.errors", tryAgain, LongAdder::sum).tag("kind", "tryagain")
                .description("Error replies to clients, by kind (tryagain: retry, nothing was done; "
                        + "indeterminate: a write may have applied; other: any other error)").register(registry);
        FunctionCounter.builder("keel.kv.errors", indeterminate, LongAdder::sum).tag("kind", "indeterminate")
                .register(registry);
        FunctionCounter.builder("keel.kv.errors", this, s -> s.errors() - s.tryAgain() - s.indeterminate())
                .tag("kind", "other").register(registry);
        Gauge.builder("keel.kv.ops.rate", this, RequestStats::opsPerSecond)
                .description("Commands answered per second over the last second").register(registry);
    }
}
