package dev.keel.raft.storage;

import dev.keel.raft.exception.StorageException;
import dev.keel.raft.log.HardState;
import dev.keel.raft.log.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.keel.raft.storage.TestLogs.await;
import static dev.keel.raft.storage.TestLogs.entries;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * I/O errors (disk full, EIO) are fail-stop: the affected futures and every later mutation fail with a
 * {@link StorageException}, nothing is retried, and what was acknowledged before is still there after a restart.
 */
class IoFailureTest {
    @TempDir
    Path dir;

    /** Fails the chosen kind of operation with {@code message} once armed, and counts attempts after that. */
    private static final class Fault implements InterceptingChannel.Interceptor {
        final AtomicBoolean armed = new AtomicBoolean();
        final AtomicInteger attempts = new AtomicInteger();
        final String kind;

        Fault(String kind) {
            this.kind = kind;
        }

        private void maybeFail(String op) throws IOException {
            if (armed.get() && op.equals(kind)) {
                attempts.incrementAndGet();
                throw new IOException(kind.equals("write") ? "No space left on device" : "Input/output error");
            }
        }

        @Override
        public void beforeWrite(Path path, long position, int bytes) throws IOException {
            maybeFail("write");
        }

        @Override
        public void beforeForce(Path path) throws IOException {
            maybeFail("force");
        }

        @Override
        public void beforeOpen(Path path, OpenOption... options) throws IOException {
            if (List.of(options).contains(StandardOpenOption.CREATE_NEW)) {
                maybeFail("create");
            }
        }
    }

    private StorageConfig config() {
        return StorageConfig.builder(dir).segmentSizeBytes(StorageConfig.MIN_SEGMENT_SIZE_BYTES).build();
    }

    private static StorageException failureOf(CompletableFuture<Void> f) {
        try {
            f.get(TestLogs.WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StorageException.class);
            return (StorageException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("future did not fail in time", e);
        }
        throw new AssertionError("future completed normally");
    }

    @Test
    void aFullDiskFailsThePendingAppendAndEveryLaterMutation() throws Exception {
        Fault fault = new Fault("write");
        List<LogEntry> acknowledged;
        String log;
        try (FileLogStorage s = FileLogStorage.open(config(), InterceptingChannel.factory(fault))) {
            acknowledged = entries(1, 20, 1);
            await(s.append(acknowledged));
            fault.armed.set(true);
            StorageException[] failure = new StorageException[1];
            log = CorruptionTest.captureStderr(() -> failure[0] = failureOf(s.append(entries(21, 25, 1))));
            assertThat(failure[0].getMessage()).contains("No space left on device").contains("segment-")
                    .contains("offset");
            assertThat(s.failure()).containsSame(failure[0]);

            assertThat(failureOf(s.append(entries(26, 26, 1)))).isSameAs(failure[0]);
            assertThat(failureOf(s.saveHardState(new HardState(3, null)))).isSameAs(failure[0]);
            assertThat(failureOf(s.truncateSuffix(10))).isSameAs(failure[0]);
            assertThat(fault.attempts.get()).as("no blind retries").isEqualTo(1);
        }
        assertThat(log).contains("ERROR").contains("fail-stop");
        try (FileLogStorage s = FileLogStorage.open(config())) {
            assertThat(s.lastIndex()).isBetween(20L, 25L);
            assertThat(s.entries(1, 21, Long.MAX_VALUE)).isEqualTo(acknowledged);
            assertThat(s.failure()).isEmpty();
        }
    }

    @Test
    void aFailedForceFailsEveryFutureOfItsBatchAndIsNotRetried() throws Exception {
        Fault fault = new Fault("force");
        try (FileLogStorage s = FileLogStorage.open(config(), InterceptingChannel.factory(fault))) {
            await(s.append(entries(1, 5, 1)));
            fault.armed.set(true);
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            for (long i = 6; i <= 30; i++) {
                futures.add(s.append(entries(i, i, 1)));
            }
            for (CompletableFuture<Void> f : futures) {
                assertThat(failureOf(f).getMessage()).contains("Input/output error").contains("forcing");
            }
            assertThat(fault.attempts.get()).isEqualTo(1);
            // Appends after the failure was seen fail at once without changing the log; reads of what is in memory
            // still work, so the server can report its state as it stops.
            assertThat(s.lastIndex()).isBetween(6L, 30L);
            assertThat(failureOf(s.append(entries(1000, 1000, 1)))).isSameAs(s.failure().orElseThrow());
        }
        try (FileLogStorage s = FileLogStorage.open(config())) {
            assertThat(s.entries(1, 6, Long.MAX_VALUE)).isEqualTo(entries(1, 5, 1));
        }
    }

    @Test
    void failingToCreateTheNextSegmentIsFailStopToo() throws Exception {
        Fault fault = new Fault("create");
        try (FileLogStorage s = FileLogStorage.open(config(), InterceptingChannel.factory(fault))) {
            fault.armed.set(true);
            CompletableFuture<Void> f = s.append(entries(1, 200, 1)); // more than one 4 KiB segment
            assertThat(failureOf(f).getMessage()).contains("creating segment");
            assertThatThrownBy(() -> s.append(entries(201, 201, 1)).join()).hasCauseInstanceOf(StorageException.class);
        }
        try (FileLogStorage s = FileLogStorage.open(config())) {
            long last = s.lastIndex();
            assertThat(s.entries(1, last + 1, Long.MAX_VALUE)).isEqualTo(entries(1, last, 1));
        }
    }
}
