package dev.keel.raft.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link CrashWriter} in its own JVM. Its standard output goes to a file rather than a pipe: the JDK drains and
 * closes a dead process's pipe from its own reaper thread, which races with a reader, while a file keeps every
 * line the child wrote before SIGKILL.
 */
final class ChildJvm implements AutoCloseable {
    /** Returned by {@link #next} once the child is dead and all its output has been read. */
    static final String EOF = "<eof>";

    private final Process process;
    private final RandomAccessFile output;
    private final Deque<String> lines = new ArrayDeque<>();
    private final StringBuilder partial = new StringBuilder();
    private final byte[] chunk = new byte[8192];

    private ChildJvm(Process process, RandomAccessFile output) {
        this.process = process;
        this.output = output;
    }

    static ChildJvm start(Path dir, long seed, String mode, Path logs) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx256m", "-cp", classpath, CrashWriter.class.getName(), dir.toString(), Long.toString(seed),
                mode));
        Path stdout = logs.resolveSibling(logs.getFileName() + "-" + seed + ".out");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(logs.toFile()));
        Process process = pb.start();
        return new ChildJvm(process, new RandomAccessFile(stdout.toFile(), "r"));
    }

    /**
     * The next complete line, waiting at most until {@code deadlineNanos}: null on timeout, {@link #EOF} once the
     * child is dead and everything it printed has been returned.
     */
    String next(long deadlineNanos) throws IOException {
        while (true) {
            if (!lines.isEmpty()) {
                return lines.poll();
            }
            boolean dead = !process.isAlive(); // read before reading the file: nothing is written after death
            if (readMore()) {
                continue;
            }
            if (dead) {
                return EOF;
            }
            if (System.nanoTime() >= deadlineNanos) {
                return null;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private boolean readMore() throws IOException {
        int n = output.read(chunk);
        if (n <= 0) {
            return false;
        }
        partial.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
        int newline;
        while ((newline = partial.indexOf("\n")) >= 0) {
            lines.add(partial.substring(0, newline));
            partial.delete(0, newline + 1);
        }
        return true;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL on Unix: no shutdown hook, no close, no flush of anything not yet written. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("child " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    /** Every remaining line, after the child died. */
    List<String> drain() throws IOException {
        List<String> rest = new ArrayList<>();
        String line;
        while (!(line = next(System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).equals(EOF)) {
            rest.add(line);
        }
        return rest;
    }

    @Override
    public void close() throws InterruptedException, IOException {
        try {
            if (process.isAlive()) {
                kill();
            }
        } finally {
            output.close();
        }
    }
}
