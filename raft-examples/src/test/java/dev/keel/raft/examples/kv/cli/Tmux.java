package dev.keel.raft.examples.kv.cli;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A terminal for tests: a tmux server of its own (its own socket, so it never touches another tmux), one window of a
 * fixed size running a command; the screen is read with {@code capture-pane} and keys sent with {@code send-keys}.
 * Without tmux the test is skipped with a message, unless {@code KEEL_REQUIRE_TMUX=true} (as in CI), where it fails.
 */
final class Tmux implements AutoCloseable {
    private final String socket = "keel-it-" + ProcessHandle.current().pid();

    /** Skips (or, with KEEL_REQUIRE_TMUX=true, fails) the test when tmux is not installed. */
    static void require() {
        boolean available;
        try {
            available = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            available = false;
        }
        if (available) {
            return;
        }
        String message = "tmux is not installed (apt-get install tmux; .ci/run installs it)";
        if ("true".equalsIgnoreCase(System.getenv("KEEL_REQUIRE_TMUX"))) {
            throw new AssertionError("KEEL_REQUIRE_TMUX=true but " + message);
        }
        System.out.println("SKIPPED terminal tests: " + message);
        Assumptions.abort("terminal tests skipped: " + message);
    }

    /** Starts {@code command} (a shell command line) in a {@code columns} x {@code rows} window. */
    void start(String command, int columns, int rows) {
        run("new-session", "-d", "-s", "main", "-x", String.valueOf(columns), "-y", String.valueOf(rows), command);
    }

    /** The screen now, one string per row, wrapped lines joined (so a line wider than the window shows as such). */
    List<String> screen() {
        String text = run("capture-pane", "-p", "-J", "-t", "main");
        // Each row ends with a newline, the last one too.
        return List.of((text.endsWith("\n") ? text.substring(0, text.length() - 1) : text).split("\n", -1));
    }

    /** Types keys, in tmux's notation ({@code C-c}). */
    void keys(String... keys) {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "main"));
        args.addAll(List.of(keys));
        run(args.toArray(String[]::new));
    }

    /** Whether the window's command still runs (when it ends, its window, session and server go with it). */
    boolean commandRunning() {
        try {
            return run("list-panes", "-t", "main", "-F", "#{pane_dead}").trim().equals("0");
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private String run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run tmux: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops this tmux server and what runs in it. */
    @Override
    public void close() {
        try {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start()
                    .waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            // Nothing was started.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
