package dev.keel.raft.examples.kv.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node of a local cluster running as a child process ({@code keel-kv run --config node.toml}), its output
 * appended to its {@code node.log}.
 *
 * <p>Thread-safe.
 */
final class NodeProcess {
    private final ClusterLayout.Node node;
    private final List<String> javaCommand;
    private Process process;
    private boolean stopRequested;

    /**
     * @param javaCommand the java launcher and class path to run {@code KeelKv} with
     */
    NodeProcess(ClusterLayout.Node node, List<String> javaCommand) {
        this.node = node;
        this.javaCommand = List.copyOf(javaCommand);
    }

    ClusterLayout.Node node() {
        return node;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Starts the node unless it runs. */
    synchronized void start() {
        if (isRunning()) {
            return;
        }
        List<String> cmd = new ArrayList<>(javaCommand);
        cmd.addAll(List.of("dev.keel.raft.examples.kv.cli.KeelKv", "run", "--config", node.config().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(node.logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        try {
            process = pb.start();
            stopRequested = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + node.id() + ": " + e.getMessage(), e);
        }
    }

    /** Whether the last exit was asked for (stop or kill) rather than a crash. */
    synchronized boolean stopRequested() {
        return stopRequested;
    }

    synchronized Process process() {
        return process;
    }

    /** SIGKILL: the node gets no chance to finish anything, like a crash. */
    synchronized void kill() {
        if (isRunning()) {
            stopRequested = true;
            process.destroyForcibly();
        }
    }

    /** SIGTERM, then waits for a clean stop; SIGKILL if it takes longer than {@code seconds}. */
    void stop(int seconds) {
        Process p;
        synchronized (this) {
            if (!isRunning()) {
                return;
            }
            stopRequested = true;
            p = process;
        }
        p.destroy();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }
}
