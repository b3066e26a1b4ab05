package dev.keel.raft.examples.kv;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs a client program that is not Java (redis-cli, redis-benchmark, redis-py, a Node.js client) as a process, with
 * a deadline. A tool that is not installed skips the test, unless {@code KEEL_REQUIRE_CLIENTS=true} (set by
 * {@code .ci/run}, which installs them all) makes that a failure, so CI cannot pass without running them.
 */
final class ExternalTool {
    /** What a finished run printed (stdout and stderr together) and its exit status. */
    record Result(int exitCode, String output) {
    }

    private ExternalTool() {
    }

    /** Skips (or, in CI, fails) the test if {@code available} is false. */
    static void require(boolean available, String what) {
        if (available) {
            return;
        }
        if ("true".equals(System.getenv("KEEL_REQUIRE_CLIENTS"))) {
            fail(what + " is missing and KEEL_REQUIRE_CLIENTS=true (.ci/run installs it)");
        }
        Assumptions.abort(what + " is not installed; .ci/run installs it");
    }

    /** The first of these executables that exists, or {@code null}. */
    static Path find(String... candidates) {
        for (String c : candidates) {
            Path p = Path.of(c);
            if (p.isAbsolute() ? Files.isExecutable(p) : onPath(c) != null) {
                return p.isAbsolute() ? p : onPath(c);
            }
        }
        return null;
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Whether {@code command} runs and exits 0 within {@code timeout} (e.g. a Python import check). */
    static boolean succeeds(Duration timeout, String... command) {
        try {
            return run(timeout, List.of(command)).exitCode() == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Runs {@code command} to completion; a run still going at {@code timeout} is killed and fails the test.
     *
     * @param timeout generous bound for the work asked of the program, not a measurement
     */
    static Result run(Duration timeout, List<String> command) {
        Path out;
        try {
            out = Files.createTempFile("keel-tool", ".out");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(command + " did not finish within " + timeout + "; it printed:\n" + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }
}
