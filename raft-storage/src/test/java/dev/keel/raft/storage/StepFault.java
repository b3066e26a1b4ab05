package dev.keel.raft.storage;

import java.io.IOException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Throws at the n-th mutating file-system step (open for writing, write, force, truncate) after arming: the files
 * are then left exactly as a crash at that point would leave them, minus unforced data. Crash tests run a sequence
 * once per step, failing it at step 1, 2, ... until a run completes with no failure.
 */
final class StepFault implements InterceptingChannel.Interceptor {
    final AtomicBoolean armed = new AtomicBoolean();
    final AtomicInteger steps = new AtomicInteger();
    final int failAt;
    private final BeforeFailing beforeFailing;
    volatile boolean fired;
    volatile String firedAt;

    /** Runs just before the failing step would have: e.g. to copy the files as a crash there would leave them. */
    interface BeforeFailing {
        void run(String step) throws IOException;
    }

    StepFault(int failAt) {
        this(failAt, step -> {
        });
    }

    StepFault(int failAt, BeforeFailing beforeFailing) {
        this.failAt = failAt;
        this.beforeFailing = beforeFailing;
    }

    private void step(String what) throws IOException {
        if (armed.get() && steps.incrementAndGet() == failAt) {
            fired = true;
            firedAt = what;
            beforeFailing.run(what);
            throw new IOException("simulated crash at step " + failAt + " (" + what + ")");
        }
    }

    @Override
    public void beforeOpen(Path path, OpenOption... options) throws IOException {
        if (!List.of(options).equals(List.of(StandardOpenOption.READ))) {
            step("open " + path.getFileName());
        }
    }

    @Override
    public void beforeWrite(Path path, long position, int bytes) throws IOException {
        step("write " + path.getFileName());
    }

    @Override
    public void beforeForce(Path path) throws IOException {
        step("force " + path.getFileName());
    }

    @Override
    public void beforeTruncate(Path path, long size) throws IOException {
        step("truncate " + path.getFileName());
    }
}
