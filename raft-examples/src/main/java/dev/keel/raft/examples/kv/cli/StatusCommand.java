package dev.keel.raft.examples.kv.cli;

import dev.keel.raft.examples.SuppressForbidden;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code keel-kv status [--watch]}: every node's role, term, commit and applied index, lag, ops/s, fsync p99 and
 * leader on one screen of 80 columns; with {@code --watch}, redrawn every second until Ctrl-C. Exit status 0 when a
 * leader is known and every member answered, 1 otherwise, 2 on bad arguments.
 */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Shows every node of a cluster on one screen; --watch refreshes it every second.")
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    Target target = new Target();
    @Option(names = {"-w", "--watch"}, description = "redraw every --interval until Ctrl-C")
    boolean watch;
    @Option(names = "--interval", paramLabel = "DURATION", description = "time between redraws (default 1s)",
            converter = DurationConverter.class, defaultValue = "1s")
    Duration interval;
    @Option(names = "--count", paramLabel = "N", description = "with --watch, stop after N screens (default: never)")
    int count;
    @Option(names = "--timeout", paramLabel = "DURATION", description = "how long to wait for each node (default "
            + "800ms)", converter = DurationConverter.class, defaultValue = "800ms")
    Duration timeout;

    @Spec
    CommandSpec spec;

    @Override
    // The pause between screens is the refresh interval an operator asked for, not a wait for a condition.
    @SuppressForbidden
    public Integer call() {
        NodeClient client;
        try {
            client = target.client();
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("keel-kv status: " + e.getMessage());
            return 2;
        }
        if (interval.isNegative() || interval.isZero() || count < 0) {
            spec.commandLine().getErr().println("keel-kv status: --interval must be positive and --count at least 0");
            return 2;
        }
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "keel-kv-status");
            t.setDaemon(true);
            return t;
        });
        PrintWriter out = spec.commandLine().getOut();
        try {
            ClusterView previous = null;
            Optional<Members> known = Optional.empty();
            int status = 1;
            for (int shown = 0; !watch && shown < 1 || watch && (count == 0 || shown < count); shown++) {
                long started = System.nanoTime();
                ClusterView view = ClusterView.take(client, timeout, pool, known);
                if (view.members().isPresent()) {
                    known = view.members();
                }
                List<String> lines = StatusScreen.render(view, previous);
                StringBuilder screen = new StringBuilder();
                if (watch) {
                    // Home and clear: each screen replaces the last, as watch(1) and top(1) do.
                    screen.append("\033[H\033[2J");
                }
                for (String l : lines) {
                    screen.append(l).append('\n');
                }
                if (watch) {
                    screen.append("(every ").append(interval.toMillis()).append(" ms; Ctrl-C quits)\n");
                }
                out.print(screen);
                out.flush();
                status = healthy(view) ? 0 : 1;
                previous = view;
                long sleep = interval.toNanos() - (System.nanoTime() - started);
                if (watch && (count == 0 || shown + 1 < count) && sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean healthy(ClusterView view) {
        return view.leader().isPresent() && view.members().isPresent()
                && view.nodes().stream().allMatch(n -> n.info().isPresent());
    }
}
