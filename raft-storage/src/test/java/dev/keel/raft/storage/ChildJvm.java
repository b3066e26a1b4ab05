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
 * A test program ({@link CrashWriter}, {@link SnapshotCrashWriter}, ...) in its own JVM. Its standard output goes
 * to a file rather than a pipe: the JDK drains and closes a dead process's pipe from its own reaper thread, which
 * races with a reader, while a file keeps every line the child wrote before SIGKILL.
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
        Path stdout = logs.resolveSibling(logs.getFileName() + "-" + seed + ".out");
        return start(CrashWriter.class, List.of("-Xmx256m"), List.of(dir.toString(), Long.toString(seed), mode),
                stdout, logs);
    }

    /**
     * Starts {@code main} (a class on the test class path) in a new JVM.
     *
     * @param jvmOptions e.g. heap limits, added to the common options
     * @param stdout     file that receives the child's standard output, read by {@link #next}
     * @param stderr     file the child's standard error is appended to
     */
    static ChildJvm start(Class<?> main, List<String> jvmOptions, List<String> args, Path stdout, Path stderr)
            throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, main.getName()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
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

    /**
     * Reads lines into {@code into} until one starts with {@code prefix} (included), waiting at most until
     * {@code deadlineNanos}: a crash test starts its random kill window from such a line, the child's first
     * acknowledged work, rather than from a fixed time after its start, which a loaded machine may spend idle.
     *
     * @return whether the line came; false on timeout or if the child died first
     */
    boolean awaitLine(String prefix, long deadlineNanos, List<String> into) throws IOException {
        while (true) {
            String line = next(deadlineNanos);
            if (line == null || line.equals(EOF)) {
                return false;
            }
            into.add(line);
            if (line.startsWith(prefix)) {
                return true;
            }
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

    /** Waits for the child to exit on its own. @return its exit code, or -1 if still running at the deadline */
    int awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        return process.waitFor(timeout, unit) ? process.exitValue() : -1;
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
